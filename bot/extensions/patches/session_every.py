"""A new Rasa session every SESSION_USER_TURNS user messages, slots carried over, so a message's cost stays flat."""

from __future__ import annotations

from typing import Any

from bot.extensions.patches.registry import Patch

# User messages one Rasa session holds; the next message starts a new session, with every slot carried over.
SESSION_USER_TURNS = 20


def user_turns_in_latest_session(tracker: Any) -> int:
    """User messages since the tracker's latest session started (all of them if it holds no session start)."""
    from rasa.shared.core.events import SessionStarted, UserUttered

    turns = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        turns += isinstance(event, UserUttered)
    return turns


def start_a_new_session_every(user_turns: int = SESSION_USER_TURNS) -> None:
    """Rasa 3.6 rebuilds the dialogue state of every turn of the session for each prediction (its policies'
    `max_history` only slices the result), and the tracker store reads and replays every event of the session
    at each message: one conversation's 400th message cost ~180 ms against ~35 ms for its first, growing by
    ~0.4 ms a message (py-spy at turns 250-400: 46% of the Rasa server's time in
    `Domain.states_for_tracker_history`, 24% in the tracker store's retrieve; reports/long_conversation.md).
    A new session after `user_turns` user messages bounds all of it. Nothing the dialogue decides on is lost:
    every slot is carried over (the policies see the slots and at most the last 4 states; each rule is one
    user turn), the tracker store keeps every event, and the HTTP API and the widget's replay read them all.
    Only when the domain carries slots over into new sessions (else Rasa's own rule alone applies), and never
    while a form is active (a new session would end it)."""
    from rasa.core.processor import MessageProcessor

    rasa_rule = getattr(MessageProcessor._has_session_expired, "rasa_rule", MessageProcessor._has_session_expired)

    def _has_session_expired(self: MessageProcessor, tracker: Any) -> bool:
        if rasa_rule(self, tracker):
            return True
        config = self.domain.session_config
        return (
            config.are_sessions_enabled()
            and config.carry_over_slots
            and not tracker.active_loop_name
            and user_turns_in_latest_session(tracker) >= user_turns
        )

    _has_session_expired.rasa_rule = rasa_rule  # type: ignore[attr-defined]
    MessageProcessor._has_session_expired = _has_session_expired


def apply() -> None:
    start_a_new_session_every()


PATCH = Patch(
    __name__, "rasa", "3.6.21", {"rasa.core.processor:MessageProcessor._has_session_expired": "aa0e659a9cfa1f70"}, apply
)
