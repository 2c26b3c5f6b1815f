"""The tracker store that reads only new events (bot/tracker_store.py), against Rasa's own SQL store on a real
SQLite file: same trackers, events written by another server seen, new sessions and replaced databases handled."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import runtime_config
from bot.tracker_store import IncrementalSQLTrackerStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


def stores(domain: Domain, path: Path, **kwargs) -> tuple[IncrementalSQLTrackerStore, SQLTrackerStore]:
    return IncrementalSQLTrackerStore(domain, db=str(path), **kwargs), SQLTrackerStore(domain, db=str(path))


def turn(text: str, framework: str) -> list:
    return [
        UserUttered(text, {"name": "ask_definition", "confidence": 0.9}),
        SlotSet("frameworks", [framework]),
        ActionExecuted("action_define"),
        BotUttered(f"{framework} is ..."),
        ActionExecuted("action_listen"),
    ]


def add(store, sender: str, events: list) -> DialogueStateTracker:
    """One turn as Rasa runs it: retrieve (or create), add events, save."""
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, store.domain.slots)
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    return tracker


def same(one: DialogueStateTracker | None, other: DialogueStateTracker | None) -> bool:
    assert one is not None and other is not None
    return one.current_state() == other.current_state() and list(one.events) == list(other.events)


def test_the_configured_store_is_this_one():
    assert runtime_config.tracker_store("sqlite:///x.sqlite")["type"] == "bot.tracker_store.IncrementalSQLTrackerStore"


def test_it_returns_what_rasas_store_returns_turn_after_turn(domain, tmp_path):
    ours, rasas = stores(domain, tmp_path / "t.sqlite")
    assert asyncio.run(ours.retrieve("ana")) is None
    for number, framework in enumerate(["keras", "pytorch", "tensorflow", "keras"]):
        add(ours, "ana", turn(f"what is it {number}", framework))
        add(ours, "bo", turn("hola", "pytorch"))
        assert same(asyncio.run(ours.retrieve("ana")), asyncio.run(rasas.retrieve("ana")))
    tracker = asyncio.run(ours.retrieve("ana"))
    assert tracker.get_slot("frameworks") == ["keras"] and len(tracker.events) == 20
    assert asyncio.run(ours.retrieve("bo")).get_slot("frameworks") == ["pytorch"]


def test_events_another_server_stored_are_read(domain, tmp_path):
    first, _ = stores(domain, tmp_path / "t.sqlite")
    second, _ = stores(domain, tmp_path / "t.sqlite")
    add(first, "ana", turn("what is keras", "keras"))
    add(second, "ana", turn("and pytorch?", "pytorch"))  # the next turn went to the other server
    tracker = asyncio.run(first.retrieve("ana"))
    assert tracker.get_slot("frameworks") == ["pytorch"] and len(tracker.events) == 10


def test_a_new_session_starts_from_its_own_events(domain, tmp_path):
    ours, rasas = stores(domain, tmp_path / "t.sqlite")
    add(ours, "ana", turn("what is keras", "keras"))
    asyncio.run(ours.retrieve("ana"))
    add(ours, "ana", [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")])
    add(ours, "ana", turn("hola", "pytorch"))
    tracker = asyncio.run(ours.retrieve("ana"))
    assert same(tracker, asyncio.run(rasas.retrieve("ana")))
    assert not any(getattr(event, "text", None) == "what is keras" for event in tracker.events)


def test_a_replaced_database_is_read_again(domain, tmp_path):
    path = tmp_path / "t.sqlite"
    ours, _ = stores(domain, path)
    add(ours, "ana", turn("one", "keras"))
    add(ours, "ana", turn("two", "keras"))
    asyncio.run(ours.retrieve("ana"))
    with ours.session_scope() as session:  # an operator empties the table; ids start again
        session.query(ours.SQLEvent).delete()
        session.commit()
    _, rasas = stores(domain, path)
    for text in ("three", "four", "five"):  # the new rows reuse the ids of the old ones
        add(rasas, "ana", turn(text, "pytorch"))
    tracker = asyncio.run(ours.retrieve("ana"))
    assert [event.text for event in tracker.events if isinstance(event, UserUttered)] == ["three", "four", "five"]


def test_the_cache_keeps_to_its_size_and_evicted_conversations_are_read_in_full(domain, tmp_path):
    ours, rasas = stores(domain, tmp_path / "t.sqlite", cache_characters=2000)
    for sender in ("a", "b", "c", "d"):
        add(ours, sender, turn("what is keras", "keras"))
        add(ours, sender, turn("what is pytorch", "pytorch"))
    assert ours._cached_characters <= 2000 and len(ours._conversations) < 4
    for sender in ("a", "b", "c", "d"):
        assert same(asyncio.run(ours.retrieve(sender)), asyncio.run(rasas.retrieve(sender)))


def test_sqlite_connections_are_reused(domain, tmp_path):
    ours, _ = stores(domain, tmp_path / "t.sqlite")
    connections = []
    sa.event.listen(ours.engine, "connect", lambda connection, _record: connections.append(connection))
    for number in range(5):
        add(ours, "ana", turn(f"message {number}", "keras"))
    assert len(connections) == 1
