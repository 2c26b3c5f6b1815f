"""What the channels say themselves (refusals, apologies), in the user's language.

The strings live in bot/channels/locales/<lang>.yml. The language is, in order: the one the page or client
declared in the message metadata, the conversation's so far, or the one the bot's NLU detects in the text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.channels.guard import Verdict

logger = logging.getLogger(__name__)

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
DETECTION_PREFIX_CHARS = 300


@cache
def table(language: str) -> dict[str, Any]:
    return yaml.safe_load((LOCALES / f"{language}.yml").read_text(encoding="utf-8"))


def supported(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def channel_text(key: str, language: str | None, **values: Any) -> str:
    return table(supported(language))[key].format(**values)


def channel_entries(key: str, language: str | None) -> list[dict[str, str]]:
    """A list the table holds under `key` (e.g. Slack's suggested prompts), in `language` or the default."""
    return [dict(entry) for entry in table(supported(language))[key]]


def locale_language(locale: Any) -> str | None:
    """The supported language of a locale such as Slack's "es-ES" or "en_US", or None."""
    language = locale[:2].lower() if isinstance(locale, str) else None
    return language if language in LANGUAGES else None


def declared_language(metadata: Mapping[str, Any] | None) -> str | None:
    return locale_language((metadata or {}).get("language"))


async def reply_language(agent: Any, sender_id: str, metadata: Mapping[str, Any] | None, text: Any = None) -> str:
    """The language to answer this sender in; never raises (a refusal must always go out)."""
    language = declared_language(metadata)
    if language:
        return language
    try:
        tracker = await agent.tracker_store.retrieve(sender_id) if agent and agent.tracker_store else None
        known = tracker.get_slot("language") if tracker else None
        if known in LANGUAGES:
            return known
        if agent and isinstance(text, str) and text.strip():
            parsed = await agent.parse_message(text[:DETECTION_PREFIX_CHARS])
            detected = parsed.get("language") or parsed.get("language_guess")
            if detected in LANGUAGES:
                return detected
    except Exception:  # the refusal matters more than its language
        logger.exception("Could not tell the language of sender %s; answering in %s", sender_id, DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE


async def channel_says(
    key: str, agent: Any, sender_id: str, metadata: Mapping[str, Any] | None = None, text: Any = None, **values: Any
) -> str:
    """The channel's own message `key` (locales/<lang>.yml) in the language this sender should get it in."""
    return channel_text(key, await reply_language(agent, sender_id, metadata, text), **values)


async def refusal(
    agent: Any, sender_id: str, verdict: Verdict, text: Any, metadata: Mapping[str, Any] | None = None
) -> str:
    """The polite refusal of a message the guard turned down. The language of a sender over the rate limit is
    not detected from the text: that would spend the CPU the limit protects."""
    detect = None if verdict.refusal == "rate_limited" else text
    return await channel_says(verdict.refusal or "", agent, sender_id, metadata, detect, **verdict.values)
