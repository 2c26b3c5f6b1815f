"""Small fixes to Rasa 3.6 and its pinned libraries: running on Python 3.11 (Rasa officially stops at 3.10),
and measured hot spots.

Applied by bot/launch/rasa_cli.py before Rasa starts; each fix is small, named and says what it repairs. `apply` first
refuses, in one line, libraries other than those the fixes were read against (WRITTEN_FOR).
"""

from __future__ import annotations

import asyncio
import gc
import sys
import types
from collections.abc import Iterable
from typing import Any

# The Rasa release whose code the version-checked fixes below were read against.
RASA_VERSION = "3.6.21"
# Every library whose private code a fix here (or the rate limiter's storage, bot/channels/guard.py) replaces,
# with the exact version it was read against: `apply` refuses any other, in one line.
WRITTEN_FOR = {"rasa": RASA_VERSION, "sanic": "21.12.2", "limits": "2.4.0"}


def require_written_for(installed: dict[str, str] | None = None) -> None:
    """Refuses, in one line, to patch libraries whose installed versions differ from WRITTEN_FOR."""
    from importlib.metadata import version

    installed = installed or {name: version(name) for name in WRITTEN_FOR}
    changed = [f"{name} {installed[name]} (fixes written for {wanted})" for name, wanted in WRITTEN_FOR.items()
               if installed[name] != wanted]  # fmt: skip
    if changed:
        raise SystemExit(
            f"bot/extensions/compat.py patches code of {', '.join(changed)}: check each fix against the new code, then "
            "update bot.extensions.compat.WRITTEN_FOR."
        )


def require_rasa(fix: str) -> None:
    """Refuses, in one line, to apply `fix` to any Rasa other than RASA_VERSION."""
    from rasa.version import __version__

    if __version__ != RASA_VERSION:
        raise SystemExit(
            f"bot.extensions.compat.{fix} replaces code of Rasa {RASA_VERSION}, but Rasa {__version__} is installed: "
            "check the "
            "fix against the new Rasa's code, then update bot.extensions.compat.RASA_VERSION."
        )


class _AsyncioWaitingOnTasks(types.ModuleType):
    """`asyncio` as Python 3.10 behaved: `wait` accepts bare coroutines and runs each as a task."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def wait(awaitables: Iterable[Any], **kwargs: Any) -> tuple[set[asyncio.Future], set[asyncio.Future]]:
        return await asyncio.wait([asyncio.ensure_future(awaitable) for awaitable in awaitables], **kwargs)


def let_sanic_websockets_receive() -> None:
    """Sanic 21.12 (Rasa's pin) hands a coroutine to `asyncio.wait` when a WebSocket receives, which Python 3.11
    refuses: every WebSocket (the widget's socket.io connection) then closes right after opening. Sanic 22 wraps
    it in a task; this gives Sanic 21.12's WebSocket module an `asyncio` that does the same."""
    from sanic.server.websockets import impl

    if not isinstance(impl.asyncio, _AsyncioWaitingOnTasks):
        impl.asyncio = _AsyncioWaitingOnTasks("asyncio")


def validate_action_results_with_a_checked_schema() -> None:
    """Rasa checks each action server response with `jsonschema.validate`, which first re-checks the schema
    itself: a third of the Rasa server's CPU per message here (profiled with py-spy). The schema is checked
    once instead; a response it rejects still goes through Rasa's own check, for Rasa's own error."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction._validate_action_result, "checked_schema", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    rasa_validation = RemoteAction._validate_action_result

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        return validator.is_valid(result) or rasa_validation(self, result)

    _validate_action_result.checked_schema = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result


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


def send_actions_recent_events_only() -> None:
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


def keep_pytorch_out() -> None:
    """spaCy's thinc imports PyTorch whenever it is installed (it is, for the code snippets), though neither
    Rasa nor this bot's spaCy pipelines use it: 180 MB and ~2 s of every Rasa start here. Marking it absent
    makes thinc take its no-PyTorch path."""
    if "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` now raises ImportError


def resolve_event_types_once() -> None:
    """Rasa finds an event's class by walking every subclass of Event, for each event it deserialises: with
    every stored event of a conversation read at each message, that walk was 17% of the Rasa server's time in
    the 50-user soak. Found classes are remembered by type name; a name not found yet is looked up as before
    (so event classes defined later are still found, and unknown names still fail the same way)."""
    from rasa.shared.core.events import Event

    if getattr(Event.resolve_by_type, "remembers", False):
        return
    resolve = Event.resolve_by_type
    found: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        if type_name in found:
            return found[type_name]
        cls = resolve(type_name, default)
        if cls is not None and cls is not default:
            found[type_name] = cls
        return cls

    resolve_by_type.remembers = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


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
    require_rasa("start_a_new_session_every")
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


def carry_each_slot_over_once() -> None:
    """Rasa's `action_session_start` carries the slots over by repeating every SlotSet event of the session that
    ended, the ones that session had carried over itself included, so each new session starts with more of them:
    with a new session every 20 messages, the 20th session of one conversation started with 1,378 events, and
    its messages were slow again (112 ms at turns 351-400). Only the latest SlotSet of each slot is carried now,
    in the order of those latest settings: the new session starts with the same values (and metadata) as
    Rasa's would."""
    require_rasa("carry_each_slot_over_once")
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


def keep_the_loaded_model_out_of_garbage_collection() -> None:
    """With the model loaded, the Rasa server holds about half a million objects the garbage collector tracks
    (TensorFlow's, spaCy's, the graph's), and each full collection walked them all: 320-520 ms, 20 times in one
    400-message conversation, more often the longer it got (timed with `gc.callbacks`; every message over
    300 ms contained one). Once the model is loaded, those objects are moved out of the collector's reach
    (`gc.freeze`), so collections walk only what later messages created (a full one took 0 ms instead of
    ~310 ms right after loading). Frozen objects are never freed, which is what a model held for the server's
    lifetime needs."""
    require_rasa("keep_the_loaded_model_out_of_garbage_collection")
    import rasa.core.run

    if getattr(rasa.core.run.load_agent_on_start, "freezes", False):
        return
    load_agent_on_start = rasa.core.run.load_agent_on_start

    async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent_on_start(*args, **kwargs)
        gc.collect()  # what loading left behind is freed, not frozen
        gc.freeze()
        return agent

    load_agent_then_freeze.freezes = True  # type: ignore[attr-defined]
    rasa.core.run.load_agent_on_start = load_agent_then_freeze


def apply() -> None:
    require_written_for()
    keep_pytorch_out()
    resolve_event_types_once()
    let_sanic_websockets_receive()
    validate_action_results_with_a_checked_schema()
    send_actions_recent_events_only()
    start_a_new_session_every()
    carry_each_slot_over_once()
    keep_the_loaded_model_out_of_garbage_collection()
