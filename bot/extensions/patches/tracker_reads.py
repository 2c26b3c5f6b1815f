"""A conversation the tracker store cannot read fails the turn (the channel's apology) instead of starting afresh."""

from __future__ import annotations

import logging
from typing import Any

from bot.extensions.patches.registry import Patch

logger = logging.getLogger(__name__)


class TrackerStoreUnreadable(RuntimeError):
    """The tracker store failed to read a conversation; the turn stops here."""


def apply() -> None:
    """Rasa 3.6 wraps every tracker store in a FailSafeTrackerStore whose `retrieve` logs any error and returns
    None, as if the conversation did not exist: the message is then handled as a new conversation (a follow-up
    such as "and for deployment?" loses what it follows), and the save that ends the turn counts the stored events
    to know which are new, so a fresh tracker's tail is appended after the conversation it never read. Here the
    error is logged and raised: the channel logs the failed turn and apologises (bot/channels/turn.py), the user
    sends the message again, and nothing is stored from a conversation read wrong. Saving keeps Rasa's fallback
    (a failed save is kept in memory on that server), since the replies have already gone out by then."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    if getattr(FailSafeTrackerStore.on_tracker_store_retrieve_error, "raises", False):
        return

    def on_tracker_store_retrieve_error(self: Any, error: Exception) -> None:
        logger.error("Could not read a conversation from %s: %s", type(self._tracker_store).__name__, error)
        raise TrackerStoreUnreadable(f"the tracker store could not read the conversation: {error}") from error

    on_tracker_store_retrieve_error.raises = True  # type: ignore[attr-defined]
    FailSafeTrackerStore.on_tracker_store_retrieve_error = on_tracker_store_retrieve_error


PATCH = Patch(
    __name__,
    "rasa",
    "3.6.21",
    {
        "rasa.core.tracker_store:FailSafeTrackerStore.retrieve": "35d77318b0cc7977",
        "rasa.core.tracker_store:FailSafeTrackerStore.retrieve_full_tracker": "5272a6be0919b511",
        "rasa.core.tracker_store:FailSafeTrackerStore.on_tracker_store_retrieve_error": "162b49564c52ab49",
    },
    apply,
)
