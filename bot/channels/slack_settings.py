"""Which Slack mode the environment asks for, decided in one place and without importing Rasa (~5 s).

SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP events), SLACK_APP_TOKEN (Socket Mode) or both; SLACK_API_URL;
all described in knowledge/settings.py.

Read by bot/launch/runtime_config.py (whether to write the channel into credentials) and bot/channels/slack.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from knowledge import settings

CHANNEL_CLASS = "bot.channels.slack.SlackChannel"
TOKEN_VARIABLE = "SLACK_BOT_TOKEN"
SECRET_VARIABLE = "SLACK_SIGNING_SECRET"
APP_TOKEN_VARIABLE = "SLACK_APP_TOKEN"
API_URL_VARIABLE = "SLACK_API_URL"
DEFAULT_API_URL = settings.BY_NAME[API_URL_VARIABLE].default
APP_TOKEN_PREFIX = "xapp-"


def slack_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """The bot token and a way to receive events: the signing secret (HTTP), the app token (Socket Mode) or both."""

    def given(name: str) -> bool:
        return bool(settings.value(name, environ))

    return given(TOKEN_VARIABLE) and (given(SECRET_VARIABLE) or given(APP_TOKEN_VARIABLE))


def credentials_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The credentials.yml entry that enables Slack, or None when the environment does not enable it.

    The entry holds no secret: the Rasa server reads the tokens and the signing secret from its environment.
    """
    if not slack_enabled(environ):
        return None
    return {CHANNEL_CLASS: {"slack_api_url": settings.value(API_URL_VARIABLE, environ)}}
