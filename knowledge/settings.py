"""Every environment variable the bot reads, named, defaulted and explained here, and read only through `value`.

It sits in the bottom layer (knowledge/) so that every layer can import it without an upward import: the
knowledge store, the actions, the channels and the launchers. Each consumer still decides what a value means
(e.g. bot/channels/guard.py parses RATE_LIMIT and says what to write when it is wrong); none reads
`os.environ` itself. tests/test_settings.py fails when code reads a variable another way, or when the table of
environment variables in docs/deployment.md names other variables than this one.

A variable that is unset or blank takes its default. Developer tooling (tools/, the tests) sets some of
these for the servers it starts; its own knobs for a measuring run (BENCH_*, SOAK_*) are not settings of the
bot and are documented where they are read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str  # "" when unset means "off" or "none"
    meaning: str
    secret: bool = False  # never written to a file or a log


SETTINGS: tuple[Setting, ...] = (
    Setting("RASA_HOST", "0.0.0.0", "the Rasa server's bind address"),
    Setting("ACTIONS_HOST", "127.0.0.1", "the action server's bind address"),
    Setting("ACTION_SERVER_URL", "", "where Rasa calls the actions; default http://localhost:<actions port>/webhook"),
    Setting("ACTION_TIMEOUT_SECONDS", "3", "how long Rasa waits for an action before the apology"),
    Setting("RASA_API_TOKEN", "", "set: Rasa's HTTP API is on and needs this token", secret=True),
    Setting("TRACKER_STORE_URL", "", "the tracker store, any SQLAlchemy URL; default run/trackers.sqlite"),
    Setting("TRACKER_RETENTION_DAYS", "90", "days conversations are kept; 0 or off keeps them forever"),
    Setting("LOCK_STORE_URL", "", "redis://host:port/db, the lock store and rate-limit counters (>1 server)"),
    Setting("KNOWLEDGE_DB_URL", "", "the knowledge base, a SQLAlchemy URL; default knowledge/build/kb.sqlite"),
    Setting("ANSWER_THRESHOLD", "0.45", "search score from which an entry is the answer (reports/calibration.md)"),
    Setting("MAX_MESSAGE_CHARS", "2000", "longer messages get a polite refusal instead of an answer"),
    Setting("RATE_LIMIT", "30/minute", "per sender on REST and the widget ('5/10seconds;30/minute'), or off"),
    Setting("WEBCHAT_ALLOWED_ORIGINS", "", "comma-separated origins of other sites that may embed the widget"),
    Setting("SLACK_BOT_TOKEN", "", "the Bot User OAuth Token (xoxb-...); Slack is off without it", secret=True),
    Setting("SLACK_SIGNING_SECRET", "", "Slack's HTTP events at /webhooks/slack/webhook", secret=True),
    Setting("SLACK_APP_TOKEN", "", "Socket Mode: app-level token (xapp-...), no public address", secret=True),
    Setting("SLACK_API_URL", "https://slack.com/api/", "Slack's Web API (Enterprise Grid, GovSlack, a stand-in)"),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def value(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The variable's text, stripped, or its default when it is unset or blank. An unknown name is a KeyError:
    every variable the bot reads is in SETTINGS."""
    setting = BY_NAME[name]
    text = (os.environ if environ is None else environ).get(name, "").strip()
    return text or setting.default
