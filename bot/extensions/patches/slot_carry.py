"""A new session carries each slot over once (its latest value), not every SlotSet of the session before."""

from __future__ import annotations

from typing import Any

from bot.extensions.patches.registry import Patch


def apply() -> None:
    """Rasa's `action_session_start` carries the slots over by repeating every SlotSet event of the session that
    ended, the ones that session had carried over itself included, so each new session starts with more of them:
    with a new session every 20 messages, the 20th session of one conversation started with 1,378 events, and
    its messages were slow again (112 ms at turns 351-400). Only the latest SlotSet of each slot is carried now,
    in the order of those latest settings: the new session starts with the same values (and metadata) as
    Rasa's would."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import SlotSet

    if getattr(ActionSessionStart._slot_set_events_from_tracker, "once", False):
        return

    def _slot_set_events_from_tracker(tracker: Any) -> list[SlotSet]:
        latest: dict[str, SlotSet] = {}
        for event in tracker.applied_events():
            if isinstance(event, SlotSet):
                latest.pop(event.key, None)
                latest[event.key] = event
        return [SlotSet(key=event.key, value=event.value, metadata=event.metadata) for event in latest.values()]

    _slot_set_events_from_tracker.once = True  # type: ignore[attr-defined]
    ActionSessionStart._slot_set_events_from_tracker = staticmethod(_slot_set_events_from_tracker)  # type: ignore[method-assign]


PATCH = Patch(
    __name__,
    "rasa",
    "3.6.21",
    {"rasa.core.actions.action:ActionSessionStart._slot_set_events_from_tracker": "d023605fda20a739"},
    apply,
)
