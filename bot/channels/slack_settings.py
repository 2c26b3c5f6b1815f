"""Which Slack mode the environment asks for, decided in one place and without importing Rasa (~5 s).

| variable             | meaning                                                                          |
| -------------------- | -------------------------------------------------------------------------------- |
| SLACK_BOT_TOKEN      | the Bot User OAuth Token (xoxb-...); Slack is off without it                     |
| SLACK_SIGNING_SECRET | with the bot token: the HTTP events endpoint /webhooks/slack/webhook is on       |
| SLACK_APP_TOKEN      | with the bot token: Socket Mode (app-level token xapp-..., no public address)    |
| SLACK_API_URL        | Slack's Web API, default https://slack.com/api/; Socket Mode asks it for its URL |

Read by bot/runtime_config.py (whether to write the channel into credentials) and bot/channels/slack.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

CHANNEL_CLASS = "bot.channels.slack.SlackChannel"
TOKEN_VARIABLE = "SLACK_BOT_TOKEN"
SECRET_VARIABLE = "SLACK_SIGNING_SECRET"
APP_TOKEN_VARIABLE = "SLACK_APP_TOKEN"
API_URL_VARIABLE = "SLACK_API_URL"
DEFAULT_API_URL = "https://slack.com/api/"
APP_TOKEN_PREFIX = "xapp-"


def slack_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """The bot token and a way to receive events: the signing secret (HTTP), the app token (Socket Mode) or both."""
    return bool(environ.get(TOKEN_VARIABLE) and (environ.get(SECRET_VARIABLE) or environ.get(APP_TOKEN_VARIABLE)))


def credentials_from_env(environ: Mapping[str, str] = os.environ) -> dict[str, Any] | None:
    """The credentials.yml entry that enables Slack, or None when the environment does not enable it.

    The entry holds no secret: the Rasa server reads the tokens and the signing secret from its environment.
    """
    if not slack_enabled(environ):
        return None
    return {CHANNEL_CLASS: {"slack_api_url": environ.get(API_URL_VARIABLE) or DEFAULT_API_URL}}
