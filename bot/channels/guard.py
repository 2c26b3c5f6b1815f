"""What every public channel checks before a message reaches the bot: its type, its sender's pace, its length.

Settings, from the environment of the Rasa server (knowledge/settings.py): MAX_MESSAGE_CHARS, RATE_LIMIT, and
LOCK_STORE_URL, whose Redis holds the counters when there are several servers.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from limits import parse_many, storage, strategies

from bot.extensions.patches.limits_sweep import SweptMemoryStorage
from knowledge import settings

logger = logging.getLogger(__name__)

DEFAULT_MAX_CHARS = int(settings.BY_NAME["MAX_MESSAGE_CHARS"].default)
DEFAULT_RATE_LIMIT = settings.BY_NAME["RATE_LIMIT"].default
# C0 and C1 control characters except tab and newline, and lone UTF-16 surrogates (invalid in UTF-8).
# Zero-width joiners and right-to-left marks stay: emoji sequences and RTL scripts need them.
# Terminal colour and cursor codes (ESC [ ... letter), as pasted from a terminal: gone whole, not just the ESC.
TERMINAL_CODES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Verdict:
    """Either the cleaned text to hand to the bot, or why not (a key of bot/channels/locales/<lang>.yml)."""

    text: str | None = None
    refusal: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def clean_text(text: str) -> str:
    """The text without control characters or invalid code points, trimmed; everything else is kept as typed."""
    text = TERMINAL_CODES.sub("", LONE_SURROGATES.sub("\ufffd", text))
    return CONTROL_CHARACTERS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


class InputGuard:
    """One per channel and server; `check` is cheap (a dictionary or one Redis round trip)."""

    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS, rate_limit: str = DEFAULT_RATE_LIMIT, redis_url: str = ""):
        self.max_chars = max_chars
        self.rate_limits = [] if rate_limit.strip().lower() in ("", "off", "none") else parse_many(rate_limit)
        # The limiter only holds a weak reference to its storage: the guard must keep it alive.
        self._counters = storage.storage_from_string(redis_url) if redis_url else SweptMemoryStorage()
        self._limiter = strategies.MovingWindowRateLimiter(self._counters)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, rate_limited: bool = True) -> InputGuard:
        """The guard configured by the environment; `rate_limited=False` for channels that limit pace themselves."""
        max_chars = settings.value("MAX_MESSAGE_CHARS", environ)
        if not max_chars.isdigit() or int(max_chars) < 1:
            raise ValueError(f"MAX_MESSAGE_CHARS must be a positive whole number of characters, not {max_chars!r}.")
        rate_limit = settings.value("RATE_LIMIT", environ) if rate_limited else "off"
        try:
            return cls(int(max_chars), rate_limit, settings.value("LOCK_STORE_URL", environ))
        except ValueError as error:
            hint = "RATE_LIMIT must look like '30/minute' or '5/10seconds;30/minute', or be 'off'"
            raise ValueError(f"{hint}: {error}") from None

    def within_rate(self, sender_id: str) -> bool:
        """Counts one message for this sender; False once it is over any of the limits."""
        allowed = True
        for limit in self.rate_limits:
            allowed = self._limiter.hit(limit, "sender", sender_id) and allowed
        return allowed

    def retry_after(self, sender_id: str) -> int:
        """Whole seconds until this sender may send again (at least 1), for a Retry-After header."""
        now = time.time()
        waits = [
            reset - now
            for limit in self.rate_limits
            for reset, remaining in [self._limiter.get_window_stats(limit, "sender", sender_id)]
            if remaining <= 0
        ]
        return max(1, math.ceil(max(waits, default=1)))

    def check(self, sender_id: str, text: Any) -> Verdict:
        """The verdict on one message; callers have already rejected a text that is not a string."""
        if not self.within_rate(sender_id):
            logger.info("Rate limit reached for sender %s", sender_id)
            return Verdict(refusal="rate_limited", values={"retry_after": self.retry_after(sender_id)})
        text = clean_text(text)
        if not text:
            return Verdict(refusal="empty")
        if len(text) > self.max_chars:
            return Verdict(refusal="too_long", values={"length": len(text), "limit": self.max_chars})
        return Verdict(text=text)
