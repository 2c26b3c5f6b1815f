"""Every change this bot makes to third-party code, one module per patch, applied by one call: `apply()`.

Each module declares its PATCH (bot/extensions/patches/registry.py): the library and the exact version it was
written for, and a fingerprint of each piece of code it replaces. `apply` first refuses, in one line, any
installed version other than the ones written for; tests/test_patches.py fails when the installed code a patch
replaces is no longer the code it was read against. Order matters: `torch_absent` must come before anything
imports spaCy. Applied by bot/launch/rasa_cli.py before Rasa starts; the rate limiter's storage
(`limits_sweep`) is used by bot/channels/guard.py instead of being applied.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import version

from bot.extensions.patches.registry import Patch

MODULES = (
    "torch_absent",
    "event_types",
    "sanic_websockets",
    "action_result_schema",
    "recent_events",
    "session_every",
    "slot_carry",
    "model_gc",
    "error_reporting",
    "action_timeout",
    "tracker_reads",
    "limits_sweep",
)


def patches() -> list[Patch]:
    return [import_module(f"{__name__}.{name}").PATCH for name in MODULES]


def require_written_for(installed: dict[str, str] | None = None) -> None:
    """Refuses, in one line, to patch a library whose installed version differs from the one its patches were
    written for."""
    found = patches()
    installed = installed or {patch.library: version(patch.library) for patch in found}
    changed: dict[tuple[str, str], list[str]] = {}
    for patch in found:
        if installed[patch.library] != patch.version:
            changed.setdefault((patch.library, patch.version), []).append(patch.name)
    if changed:
        what = "; ".join(
            f"{library} {installed[library]} is installed, {', '.join(names)} written for {library} {wanted}"
            for (library, wanted), names in changed.items()
        )
        raise SystemExit(f"Refusing to patch: {what}. Check each patch in bot/extensions/patches against the new code.")


def apply() -> None:
    require_written_for()
    for patch in patches():
        patch.apply()
