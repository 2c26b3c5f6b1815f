"""The patches of third-party code (bot/extensions/patches): each written for one version, each checked against
the code it replaces, each doing what it says."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bot.extensions import patches
from bot.extensions.patches import (
    action_result_schema,
    event_types,
    model_gc,
    recent_events,
    sanic_websockets,
    session_every,
    slot_carry,
    tracker_reads,
)
from bot.extensions.patches.registry import fingerprint


def test_sanic_websockets_get_an_asyncio_whose_wait_takes_coroutines():
    from sanic.server.websockets import impl

    sanic_websockets.apply()

    async def receive() -> str:
        return "frame"

    async def race() -> str:
        cancel = asyncio.get_running_loop().create_future()
        done, pending = await impl.asyncio.wait((cancel, receive()), return_when=asyncio.FIRST_COMPLETED)
        cancel.cancel()
        return next(iter(done)).result()

    assert asyncio.run(race()) == "frame"
    assert impl.asyncio.Future is asyncio.Future  # everything else is the real asyncio


def test_action_results_are_validated_as_rasa_does_with_the_schema_checked_once():
    from rasa.core.actions.action import RemoteAction

    action_result_schema.apply()
    action = RemoteAction("action_define", None)
    good = {"events": [{"event": "slot", "name": "topic", "value": "definition"}], "responses": [{"text": "hi"}]}
    assert action._validate_action_result(good) is True
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot", "name": 3}], "responses": "not a list"})


def test_a_conversation_the_tracker_store_cannot_read_fails_the_turn(monkeypatch, tmp_path):
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.extensions.tracker_store import IncrementalSQLTrackerStore

    original = FailSafeTrackerStore.on_tracker_store_retrieve_error
    monkeypatch.setattr(FailSafeTrackerStore, "on_tracker_store_retrieve_error", original)  # restored afterwards
    store = IncrementalSQLTrackerStore(
        Domain.load(Path(__file__).parents[1] / "domain.yml"), db=str(tmp_path / "trackers.db")
    )
    asyncio.run(store.save(DialogueStateTracker.from_events("ana", [UserUttered("compare keras and pytorch")])))
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE events")  # the store can no longer read it
    safe = FailSafeTrackerStore(store)
    assert asyncio.run(safe.retrieve("ana")) is None  # Rasa's way: a new conversation, as if nothing was said
    tracker_reads.apply()
    tracker_reads.apply()  # applying twice changes nothing more
    with pytest.raises(tracker_reads.TrackerStoreUnreadable, match="no such table"):
        asyncio.run(safe.retrieve("ana"))
    with pytest.raises(tracker_reads.TrackerStoreUnreadable):
        asyncio.run(safe.retrieve_full_tracker("ana"))


def test_the_rasa_process_never_loads_pytorch():
    """In a process of its own: the test process itself may need PyTorch."""
    script = "from bot.launch import rasa_cli; rasa_cli.prepare(); import spacy, sys; print(sys.modules['torch'])"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "None"


def test_event_types_are_resolved_as_rasa_does_and_remembered(monkeypatch):
    from rasa.shared.core import events
    from rasa.shared.utils import common

    event_types.apply()
    event_types.apply()  # applying twice wraps once
    assert events.Event.resolve_by_type("user") is events.UserUttered
    walks = []
    monkeypatch.setattr(common, "all_subclasses", lambda cls: walks.append(cls) or [])
    assert events.Event.resolve_by_type("user") is events.UserUttered  # remembered: no walk
    assert walks == []
    assert events.Event.resolve_by_type("no_such_event", events.SlotSet) is events.SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        events.Event.resolve_by_type("no_such_event")
    assert len(walks) == 2  # unknown names are looked up each time


def test_action_calls_carry_the_latest_two_user_turns_and_every_slot():
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig
    from rasa_sdk.interfaces import Tracker

    recent_events.apply()
    domain = Domain.load("domain.yml")
    tracker = DialogueStateTracker("ana", domain.slots)
    for number in range(5):
        tracker.update(UserUttered(f"message {number}", {"name": "ask_definition", "confidence": 1.0}))
        if number == 0:
            tracker.update(SlotSet("frameworks", ["keras"]))  # set long ago: still sent
        tracker.update(ActionExecuted("action_define"))
        tracker.update(BotUttered(f"answer {number}"))
        tracker.update(ActionExecuted("action_listen"))
    endpoint = EndpointConfig("http://localhost:1/webhook", enable_selective_domain=True)
    call = RemoteAction("action_define", endpoint)._action_call_format(tracker, domain)
    sent = Tracker.from_dict(call["tracker"])
    assert [event.get("text") for event in sent.events if event["event"] in ("user", "bot")] == [
        "message 3",
        "answer 3",
        "message 4",
        "answer 4",
    ]
    assert sent.get_slot("frameworks") == ["keras"] and sent.latest_message["text"] == "message 4"
    assert call["sender_id"] == "ana" and "domain" not in call
    assert len(tracker.events) == 21  # the conversation itself is untouched


def test_patches_refuse_other_versions_of_the_libraries_they_patch():
    patches.require_written_for()  # the installed ones pass
    installed = {patch.library: patch.version for patch in patches.patches()}
    with pytest.raises(
        SystemExit, match=r"sanic 23\.6\.0 is installed, sanic_websockets written for sanic 21\.12\.2\."
    ):
        patches.require_written_for({**installed, "sanic": "23.6.0"})


def test_every_patch_has_its_own_module_and_names_what_it_replaces():
    found = patches.patches()
    assert [patch.name for patch in found] == list(patches.MODULES) and len({p.module for p in found}) == len(found)
    assert all(patch.replaces and all(len(print_) == 16 for print_ in patch.replaces.values()) for patch in found)


def test_the_code_each_patch_replaces_is_the_code_it_was_written_against():
    """In a process of its own, where nothing is patched yet: the installed code's fingerprints."""
    script = (
        "import json\n"
        "from bot.extensions.patches import patches\n"
        "from bot.extensions.patches.registry import fingerprint\n"
        "print(json.dumps({path: fingerprint(path) for p in patches() for path in p.replaces}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    installed = json.loads(result.stdout.strip().splitlines()[-1])
    changed = [
        f"{patch.name}: {path}"
        for patch in patches.patches()
        for path, written_for in patch.replaces.items()
        if installed[path] != written_for
    ]
    assert changed == [], "read the new code, check the patch against it, then update its fingerprint"


def test_a_fingerprint_changes_with_the_code():
    assert fingerprint("json:dumps") != fingerprint("json:loads") and len(fingerprint("json")) == 16


def _conversation(domain, user_turns: int, start_session: bool = True, seconds_ago: float = 0.0):
    import time

    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker("ana", domain.slots)
    if start_session:
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
    for number in range(user_turns):
        tracker.update(UserUttered(f"m{number}", {"name": "ask_definition"}, timestamp=time.time() - seconds_ago))
        tracker.update(SlotSet("topic", "definition"))
        tracker.update(ActionExecuted("action_define"))
        tracker.update(BotUttered(f"a{number}"))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


class _Processor:
    """What `MessageProcessor._has_session_expired` reads of its processor: the domain."""

    def __init__(self, domain) -> None:
        self.domain = domain


def test_a_session_counts_only_its_own_user_turns():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    domain = Domain.load("domain.yml")
    tracker = _conversation(domain, 3)
    assert session_every.user_turns_in_latest_session(tracker) == 3
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    assert session_every.user_turns_in_latest_session(tracker) == 0
    assert session_every.user_turns_in_latest_session(_conversation(domain, 2, start_session=False)) == 2


def test_a_new_session_starts_after_the_set_number_of_user_turns_and_rasas_own_rule_still_holds():
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain

    session_every.start_a_new_session_every(4)
    try:
        expired = MessageProcessor._has_session_expired
        processor = _Processor(Domain.load("domain.yml"))
        assert [expired(processor, _conversation(processor.domain, turns)) for turns in (0, 3, 4, 9)] == [
            False,
            False,
            True,
            True,
        ]
        assert expired(processor, _conversation(processor.domain, 1, seconds_ago=61 * 60))  # 60 minutes idle
    finally:
        session_every.start_a_new_session_every()
    assert not MessageProcessor._has_session_expired(processor, _conversation(processor.domain, 4))


def test_no_session_is_cut_short_if_slots_would_not_carry_over_or_a_form_is_active():
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActiveLoop

    session_every.start_a_new_session_every(2)
    try:
        domain = Domain.load("domain.yml")
        forgetful = Domain.from_dict({**domain.as_dict(), "session_config": {"carry_over_slots_to_new_session": False}})
        assert not MessageProcessor._has_session_expired(_Processor(forgetful), _conversation(forgetful, 5))
        in_form = _conversation(domain, 5)
        in_form.update(ActiveLoop("recommendation_form"))
        assert not MessageProcessor._has_session_expired(_Processor(domain), in_form)
    finally:
        session_every.start_a_new_session_every()


def test_what_the_model_loading_left_is_frozen_out_of_garbage_collection(monkeypatch):
    """Rasa's loader is replaced by one that builds a few objects: loading a real model takes half a minute."""
    import gc

    import rasa.core.run

    loaded = []

    async def load_agent_on_start(*_args):
        loaded.append([{"weights": [number]} for number in range(1000)])
        return "agent"

    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", load_agent_on_start)
    model_gc.apply()
    model_gc.apply()  # applying twice wraps once
    frozen = gc.get_freeze_count()
    try:
        assert asyncio.run(rasa.core.run.load_agent_on_start("model", None, None, None, None)) == "agent"
        assert gc.get_freeze_count() >= frozen + 2000
        assert not any(obj is loaded[0] for obj in gc.get_objects())  # collections no longer walk it
    finally:
        gc.unfreeze()


def test_a_new_session_carries_each_slots_latest_value_once():
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SessionStarted, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    slot_carry.apply()
    domain = Domain.load("domain.yml")
    tracker = _conversation(domain, 3)  # topic set three times
    tracker.update(SlotSet("frameworks", ["keras"]))
    tracker.update(SlotSet("aspect", "speed"))
    tracker.update(SlotSet("frameworks", None, metadata={"why": "reset"}))
    for _ in range(3):  # three sessions in a row: what is carried over does not pile up
        started = asyncio.run(ActionSessionStart().run(None, None, tracker, domain))
        for event in started:
            tracker.update(event)
    carried = [event for event in started if isinstance(event, SlotSet)]
    assert [(event.key, event.value) for event in carried] == [
        ("topic", "definition"),
        ("aspect", "speed"),
        ("frameworks", None),
    ]
    assert carried[-1].metadata == {"why": "reset"} and isinstance(started[0], SessionStarted)
    fresh = DialogueStateTracker("ana", domain.slots)
    for event in started:
        fresh.update(event)
    assert fresh.current_slot_values() == tracker.current_slot_values()
