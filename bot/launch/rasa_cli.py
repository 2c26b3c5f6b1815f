"""`rasa` with telemetry and error reporting off, a short action timeout, and the API token from the environment.

Use it exactly like `rasa`: python -m bot.launch.rasa_cli train / run / test ...

- RASA_TELEMETRY_ENABLED=false stops telemetry, but Rasa 3.6 sets up Sentry error reports from a key shipped
  in its package whatever that variable says; `prepare` turns that off.
- ACTION_TIMEOUT_SECONDS (default 3): how long Rasa waits for the action server before the turn fails and the
  channel apologises. Rasa 3.6 hard-codes 5 minutes; see `set_action_timeout`.
- RASA_API_TOKEN: `run --enable-api` gets `--auth-token` from it here, inside the process, so the token shows
  neither in the process list nor in any file; `--enable-api` without a token is refused.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from bot.extensions import compat
from knowledge import settings

DEFAULT_ACTION_TIMEOUT_SECONDS = 3.0
TOKEN_VARIABLE = "RASA_API_TOKEN"
TIMEOUT_VARIABLE = "ACTION_TIMEOUT_SECONDS"


def action_timeout(environ: Mapping[str, str] | None = None) -> float:
    raw = settings.value(TIMEOUT_VARIABLE, environ)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise SystemExit(f"{TIMEOUT_VARIABLE} must be a number of seconds between 0 and 3600, not {raw!r}.")
    return seconds


def set_action_timeout(seconds: float) -> None:
    """The one place that overrides Rasa's 5-minute action timeout.

    Rasa 3.6 imports DEFAULT_REQUEST_TIMEOUT from rasa.core.constants into two modules and reads it there
    each time it calls out: RemoteAction.run (rasa.core.actions.action) passes it to every action request, and
    EndpointConfig.session (rasa.utils.endpoints) makes it the session's total timeout. Both names are read
    at call time, so setting them before Rasa runs changes every later action call (and other endpoint calls).
    """
    import rasa.core.actions.action
    import rasa.utils.endpoints

    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = seconds
    rasa.utils.endpoints.DEFAULT_REQUEST_TIMEOUT = seconds


def with_api_token(argv: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """`argv` with --auth-token from RASA_API_TOKEN when the HTTP API is enabled; refuses an API without one."""
    if "--enable-api" not in argv or "--auth-token" in argv or any(a.startswith("--auth-token=") for a in argv):
        return argv
    token = settings.value(TOKEN_VARIABLE, environ)
    if not token:
        raise SystemExit(f"--enable-api opens Rasa's HTTP API: set {TOKEN_VARIABLE} to a secret token first.")
    return [*argv, "--auth-token", token]


def prepare(environ: Mapping[str, str] = os.environ) -> None:
    """Everything this entry point changes in Rasa, before Rasa parses its arguments."""
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    compat.apply()  # first: one of its fixes must come before anything imports spaCy
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting = lambda: None
    set_action_timeout(action_timeout(environ))


def main() -> None:
    prepare()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *with_api_token(sys.argv[1:])]
    rasa_main()


if __name__ == "__main__":
    main()
