"""Slack's features for assistant apps ("Agents & AI Apps"): suggested prompts, a status while the answer is
prepared, and a thread title. The words come from bot/channels/locales/<lang>.yml.

Every call here is a courtesy: Slack refuses them where the app lacks the feature or a scope (`assistant:write`,
`users:read`), and the answer matters more, so a refusal is logged and the conversation goes on. Slack clears
the status itself when the bot replies; it is cleared here too (an empty status), for a turn that ended without
a reply.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.replies import channel_entries, channel_text, locale_language

logger = logging.getLogger(__name__)

TITLE_LIMIT = 80  # characters of a thread title taken from a question


@dataclass(frozen=True)
class AssistantThread:
    """A thread the user opened in the assistant pane (event `assistant_thread_started`)."""

    user: str
    channel: str
    thread_ts: str


def assistant_thread_from_event(event: Mapping[str, Any]) -> AssistantThread | None:
    if event.get("type") != "assistant_thread_started":
        return None
    thread = event.get("assistant_thread")
    thread = thread if isinstance(thread, Mapping) else {}
    user, channel, thread_ts = (thread.get(name) for name in ("user_id", "channel_id", "thread_ts"))
    if not all(isinstance(value, str) and value for value in (user, channel, thread_ts)):
        return None
    return AssistantThread(user, channel, thread_ts)


def title_from_question(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1] + "…"


async def _courtesy(call: Awaitable[Any], what: str) -> Any:
    """The call's response, or None when Slack refused it (logged without any token)."""
    try:
        return await call
    except Exception as error:
        response = getattr(error, "response", None)  # Slack's answer, as in {"ok": false, "error": "missing_scope"}
        reason = response.get("error") if hasattr(response, "get") else None
        logger.warning("Slack %s failed (%s); carrying on without it.", what, reason or type(error).__name__)
        return None


async def user_language(client: AsyncWebClient, user: str) -> str | None:
    """The language of the user's Slack locale (users.info, scope users:read), if the bot supports it."""
    answer = await _courtesy(client.users_info(user=user, include_locale=True), "users.info")
    profile = answer.get("user") if answer else None
    return locale_language(profile.get("locale")) if isinstance(profile, Mapping) else None


async def suggest_prompts(client: AsyncWebClient, thread: AssistantThread, language: str) -> None:
    await _courtesy(
        client.assistant_threads_setSuggestedPrompts(
            channel_id=thread.channel,
            thread_ts=thread.thread_ts,
            title=channel_text("suggested_prompts_title", language),
            prompts=channel_entries("suggested_prompts", language),
        ),
        "assistant.threads.setSuggestedPrompts",
    )


async def set_status(client: AsyncWebClient, channel: str, thread_ts: str, status: str) -> None:
    """`status` shows as "<app name> <status>"; an empty one clears it."""
    await _courtesy(
        client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread_ts, status=status),
        "assistant.threads.setStatus",
    )


async def set_title(client: AsyncWebClient, channel: str, thread_ts: str, question: str) -> None:
    await _courtesy(
        client.assistant_threads_setTitle(channel_id=channel, thread_ts=thread_ts, title=title_from_question(question)),
        "assistant.threads.setTitle",
    )
