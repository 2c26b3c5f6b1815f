"""Rasa 3.6 sets up Sentry error reports from a key shipped in its package, whatever RASA_TELEMETRY_ENABLED
says; this bot never reports anything anywhere."""

from __future__ import annotations

from bot.extensions.patches.registry import Patch


def apply() -> None:
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting = lambda: None


PATCH = Patch(__name__, "rasa", "3.6.21", {"rasa.telemetry:initialize_error_reporting": "17de74b41a45a81c"}, apply)
