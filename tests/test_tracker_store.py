"""The tracker store that reads only new events (bot/extensions/tracker_store.py), against Rasa's own SQL store on a
real SQLite file: same trackers, events written by another server seen, new sessions and replaced databases handled."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.extensions.tracker_store import IncrementalSQLTrackerStore
from bot.launch import runtime_config

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
    assert (
        runtime_config.tracker_store("sqlite:///x.sqlite")["type"]
        == "bot.extensions.tracker_store.IncrementalSQLTrackerStore"
    )


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


def test_its_sqlite_database_is_in_wal_mode_and_no_other_database_is_touched(domain, tmp_path):
    trackers, other = tmp_path / "trackers.sqlite", tmp_path / "knowledge.sqlite"
    sa.create_engine(f"sqlite:///{other}").connect().close()
    IncrementalSQLTrackerStore(domain, db=str(trackers))
    modes = {}
    for path in (trackers, other):
        with sa.create_engine(f"sqlite:///{path}").connect() as connection:
            modes[path.name] = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert modes == {"trackers.sqlite": "wal", "knowledge.sqlite": "delete"}


def test_sqlite_connections_are_reused(domain, tmp_path):
    ours, _ = stores(domain, tmp_path / "t.sqlite")
    connections = []
    sa.event.listen(ours.engine, "connect", lambda connection, _record: connections.append(connection))
    for number in range(5):
        add(ours, "ana", turn(f"message {number}", "keras"))
    assert len(connections) <= 1  # the pool's connection (opened at start, for the WAL switch) serves every turn


def statements_of(store: IncrementalSQLTrackerStore) -> list[str]:
    """Every SQL statement the store sends from now on."""
    sent: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda _c, _cursor, statement, *_: sent.append(statement))
    return sent


RASAS_COUNT = "max(events.timestamp)"  # Rasa's count of a session's stored events reads the whole conversation


def stored_rows(store, sender: str) -> list[tuple]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent.type_name, store.SQLEvent.data).filter_by(sender_id=sender)
        return [(name, json.loads(data)) for name, data in rows.order_by(store.SQLEvent.id)]


def test_saving_after_reading_counts_stored_events_without_reading_the_conversation_again(domain, tmp_path):
    ours, rasas = stores(domain, tmp_path / "ours.sqlite")[0], SQLTrackerStore(domain, db=str(tmp_path / "rasa.sqlite"))
    new_session = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    turns = [turn("one", "keras"), turn("two", "pytorch"), new_session, turn("three", "keras"), turn("four", "jax")]
    for events in turns[:2]:
        add(ours, "ana", events)
        add(rasas, "ana", events)
    sent = statements_of(ours)
    for events in turns[2:]:
        add(ours, "ana", events)
        add(rasas, "ana", events)
    assert stored_rows(ours, "ana") == stored_rows(rasas, "ana")
    assert sum(RASAS_COUNT in statement for statement in sent) == 1  # the new session's first read, not the saves


def test_saving_falls_back_to_rasas_count_when_the_read_is_not_enough(domain, tmp_path):
    path = tmp_path / "t.sqlite"
    first, second = stores(domain, path)[0], stores(domain, path)[0]
    add(first, "ana", turn("one", "keras"))
    tracker = asyncio.run(first.retrieve("ana"))
    add(second, "ana", turn("two", "pytorch"))  # stored after `first` read the conversation
    sent = statements_of(first)
    for event in turn("three", "jax"):
        tracker.update(event)
    asyncio.run(first.save(tracker))
    assert sum(RASAS_COUNT in statement for statement in sent) == 1
    other = DialogueStateTracker("ana", domain.slots)  # a tracker that does not hold what `first` read
    for event in turn("four", "keras") + turn("five", "keras") + turn("six", "keras"):
        other.update(event)
    asyncio.run(first.retrieve("ana"))
    sent.clear()
    asyncio.run(first.save(other))
    assert sum(RASAS_COUNT in statement for statement in sent) == 1


# --- what is stored: no secrets, and nothing older than the retention period ----------------------------------
# Slack-shaped fakes assembled here, so that no token-shaped text is committed
SECRETS = ("-".join(("xoxb", "not-a-real-token")), "-".join(("xapp", "not-a-real-token")), "s3cr3t-signing", "hunter2")


def rows_in(path: Path) -> list[tuple[str, str, float]]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT sender_id, data, timestamp FROM events ORDER BY id")).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_no_token_or_secret_from_message_metadata_is_stored(domain, tmp_path):
    path = tmp_path / "trackers.sqlite"
    store = IncrementalSQLTrackerStore(domain, db=str(path))
    metadata = {
        "language": "es",
        "token": SECRETS[0],
        "app": {"client_secret": SECRETS[2], "note": f"connected with {SECRETS[1]}"},
        "headers": {"Authorization": "Bearer abc.def", "X-Slack-Signature": "v0=ff"},
        "callback": f"https://bot:{SECRETS[3]}@example.org/hook",
        "page_url": "https://example.org/docs",
    }
    add(
        store,
        "s",
        [
            SlotSet("session_started_metadata", metadata),
            UserUttered("what is keras?", {"name": "ask_definition"}, metadata=metadata),
        ],
    )
    text = "\n".join(data for _, data, _ in rows_in(path))
    assert not [secret for secret in (*SECRETS, "abc.def", "v0=ff") if secret in text], text
    user = json.loads([data for _, data, _ in rows_in(path) if '"event": "user"' in data][0])
    assert user["metadata"]["language"] == "es" and user["metadata"]["page_url"] == "https://example.org/docs"
    assert user["parse_data"]["metadata"]["token"] == "[removed]"
    assert same(asyncio.run(store.retrieve("s")), asyncio.run(SQLTrackerStore(domain, db=str(path)).retrieve("s")))


def test_conversations_older_than_the_retention_period_are_deleted_at_start(domain, tmp_path):
    path = tmp_path / "trackers.sqlite"
    now = time.time()
    keeper = IncrementalSQLTrackerStore(domain, db=str(path))
    old = [UserUttered("old question", {"name": "ask_fact"}, timestamp=now - 91 * 86400)]
    add(keeper, "old", old)
    add(keeper, "recent", [UserUttered("new question", {"name": "ask_fact"}, timestamp=now - 89 * 86400)])
    IncrementalSQLTrackerStore(domain, db=str(path))  # kept forever: nothing deleted
    assert {sender for sender, _, _ in rows_in(path)} == {"old", "recent"}
    store = IncrementalSQLTrackerStore(domain, db=str(path), retention_days=90)
    assert {sender for sender, _, _ in rows_in(path)} == {"recent"}
    assert asyncio.run(store.retrieve("old")) is None
    assert store.apply_retention(now=now + 2 * 86400) == 1  # and later, as the server saves
    assert rows_in(path) == []


def test_with_retention_on_the_events_time_is_indexed_for_the_hourly_deletion(domain, tmp_path):
    from bot.extensions.tracker_store import TIMESTAMP_INDEX

    def indexes(store):
        return {index["name"] for index in sa.inspect(store.engine).get_indexes("events")}

    assert TIMESTAMP_INDEX not in indexes(IncrementalSQLTrackerStore(domain, db=str(tmp_path / "forever.sqlite")))
    store = IncrementalSQLTrackerStore(domain, db=str(tmp_path / "t.sqlite"), retention_days=90)
    assert TIMESTAMP_INDEX in indexes(store)
    IncrementalSQLTrackerStore(domain, db=str(tmp_path / "t.sqlite"), retention_days=90)  # a second server: fine


@pytest.mark.parametrize(
    ("value", "days"), [(None, 90), ("30", 30), ("0.5", 0.5), ("0", None), ("off", None), (" OFF ", None)]
)
def test_the_retention_setting_and_its_default(value, days):
    environ = {} if value is None else {"TRACKER_RETENTION_DAYS": value}
    assert runtime_config.retention_days(environ) == days


@pytest.mark.parametrize("value", ["ninety", "-3", "inf", "nan"])
def test_a_wrong_retention_setting_says_what_to_write(value):
    with pytest.raises(SystemExit, match="TRACKER_RETENTION_DAYS must be a number of days"):
        runtime_config.retention_days({"TRACKER_RETENTION_DAYS": value})


def test_the_retention_reaches_the_servers_tracker_store(monkeypatch):
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "7")
    assert runtime_config.endpoints(5055)["tracker_store"]["retention_days"] == 7
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "off")
    assert "retention_days" not in runtime_config.endpoints(5055)["tracker_store"]
