"""How long Rasa waits for the action server: ACTION_TIMEOUT_SECONDS (default 3) instead of Rasa 3.6's
hard-coded 5 minutes, so a slow or stopped action server ends in the channel's apology, not a hung turn."""

from __future__ import annotations

from collections.abc import Mapping

from bot.extensions.patches.registry import Patch
from knowledge import settings

TIMEOUT_VARIABLE = "ACTION_TIMEOUT_SECONDS"


def action_timeout(environ: Mapping[str, str] | None = None) -> float:
    """The timeout in seconds from the environment; a value that is no number of seconds is refused in one line."""
    raw = settings.value(TIMEOUT_VARIABLE, environ)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise SystemExit(f"{TIMEOUT_VARIABLE} must be a number of seconds between 0 and 3600, not {raw!r}.")
    return seconds


def set_action_timeout(seconds: float) -> None:
    """Rasa 3.6 imports DEFAULT_REQUEST_TIMEOUT from rasa.core.constants into two modules and reads it there
    each time it calls out: RemoteAction.run (rasa.core.actions.action) passes it to every action request, and
    EndpointConfig.session (rasa.utils.endpoints) makes it the session's total timeout. Both names are read
    at call time, so setting them before Rasa runs changes every later action call (and other endpoint calls)."""
    import rasa.core.actions.action
    import rasa.utils.endpoints

    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = seconds
    rasa.utils.endpoints.DEFAULT_REQUEST_TIMEOUT = seconds


def apply() -> None:
    set_action_timeout(action_timeout())


PATCH = Patch(
    __name__,
    "rasa",
    "3.6.21",
    {
        "rasa.core.actions.action:RemoteAction.run": "ccabf6f1160d527a",
        "rasa.utils.endpoints:EndpointConfig.session": "e55aa13d9d4fb4bc",
    },
    apply,
)
