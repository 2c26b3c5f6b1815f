"""The Python 3.11 fixes for Rasa's pinned libraries (bot/compat.py)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import jsonschema
import pytest

from bot import compat


def test_sanic_websockets_get_an_asyncio_whose_wait_takes_coroutines():
    from sanic.server.websockets import impl

    compat.let_sanic_websockets_receive()

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

    compat.validate_action_results_with_a_checked_schema()
    action = RemoteAction("action_define", None)
    good = {"events": [{"event": "slot", "name": "topic", "value": "definition"}], "responses": [{"text": "hi"}]}
    assert action._validate_action_result(good) is True
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot", "name": 3}], "responses": "not a list"})


def test_the_rasa_process_never_loads_pytorch():
    """In a process of its own: the test process itself may need PyTorch."""
    script = "from bot import rasa_cli; rasa_cli.prepare(); import spacy, sys; print(sys.modules['torch'])"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "None"


def test_the_sqlite_tracker_store_is_in_wal_mode_and_no_other_database_is_touched(tmp_path, monkeypatch):
    from sqlalchemy import create_engine

    trackers, other = tmp_path / "trackers.sqlite", tmp_path / "knowledge.sqlite"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{trackers}")
    compat.sqlite_trackers_in_wal_mode()
    modes = {}
    for path in (trackers, other):
        with create_engine(f"sqlite:///{path}").connect() as connection:
            modes[path.name] = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert modes == {"trackers.sqlite": "wal", "knowledge.sqlite": "delete"}


def test_event_types_are_resolved_as_rasa_does_and_remembered(monkeypatch):
    from rasa.shared.core import events
    from rasa.shared.utils import common

    compat.resolve_event_types_once()
    compat.resolve_event_types_once()  # applying twice wraps once
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

    compat.send_actions_recent_events_only()
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
