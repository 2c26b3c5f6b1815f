"""The action server gets the latest two user turns' events, not the whole conversation's."""

from __future__ import annotations

from typing import Any

from bot.extensions.patches.registry import Patch

# User turns of events (with all that followed them) sent to the action server with each action call.
ACTION_CALL_USER_TURNS = 2


class _RecentEventsOnly:
    """The tracker as `RemoteAction._action_call_format` reads it, with only the latest user turns' events."""

    def __init__(self, tracker: Any) -> None:
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def current_state(self, _verbosity: Any = None) -> dict[str, Any]:
        from rasa.shared.core.events import UserUttered
        from rasa.shared.core.trackers import EventVerbosity

        state = self._tracker.current_state(EventVerbosity.NONE)  # slots, latest message, active loop...
        recent: list[Any] = []
        users = 0
        for event in reversed(self._tracker.events):
            recent.append(event)
            users += isinstance(event, UserUttered)
            if users == ACTION_CALL_USER_TURNS:
                break
        state["events"] = [event.as_dict() for event in reversed(recent)]
        return state


def apply() -> None:
    """Rasa sends the action server the whole conversation's events with every action call: serialising them
    was 9% of the Rasa server's time late in the 50-user soak, growing with each turn, and the action server
    parsed them all again. Our actions read the slots and the latest message (sent apart from the events);
    rasa_sdk's form helpers read the events since the latest user message. So only the latest two user turns'
    events go; everything else in the call is Rasa's own."""
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction._action_call_format, "recent_events_only", False):
        return
    rasa_format = RemoteAction._action_call_format

    def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
        return rasa_format(self, _RecentEventsOnly(tracker), domain)

    _action_call_format.recent_events_only = True  # type: ignore[attr-defined]
    RemoteAction._action_call_format = _action_call_format


PATCH = Patch(
    __name__, "rasa", "3.6.21", {"rasa.core.actions.action:RemoteAction._action_call_format": "428795b944f22edb"}, apply
)
