"""What the channels say themselves (refusals, apologies), in the user's language.

The strings live in bot/channels/locales/<lang>.yml. The language follows the one rule the actions follow too
(knowledge.text.choose_language), from what the channel has without running the NLU again: the NLU's verdict
on this very text when the conversation's latest message is it (after a turn), the conversation's language,
the language the page or client declared, and a guess from the message's little words.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from knowledge.text import DEFAULT_LANGUAGE, LANGUAGES, choose_language

if TYPE_CHECKING:
    from bot.channels.guard import Verdict

logger = logging.getLogger(__name__)

LOCALES = Path(__file__).parent / "locales"
GUESS_PREFIX_CHARS = 300  # the little words of a long message are all in its first lines


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
    detected = conversation = None
    try:
        tracker = await agent.tracker_store.retrieve(sender_id) if agent and agent.tracker_store else None
        if tracker is not None:
            conversation = tracker.get_slot("language")
            latest = tracker.latest_message
            if latest is not None and isinstance(text, str) and latest.text == text:
                detected = (latest.parse_data or {}).get("language")
    except Exception:  # the refusal matters more than its language
        logger.exception("Could not read the conversation of sender %s to tell its language", sender_id)
    from bot.nlu.language import guess_language  # loaded in the Rasa server already; the terminal chat never needs it

    guess = guess_language(text[:GUESS_PREFIX_CHARS]) if isinstance(text, str) and text.strip() else None
    return choose_language(detected, conversation, declared_language(metadata), guess)


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
