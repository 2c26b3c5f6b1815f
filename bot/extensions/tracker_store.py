"""Rasa's SQL tracker store, reading from the database only the events a conversation gained since last time.

Rasa 3.6's SQLTrackerStore reads every stored event of the conversation's session at each message, so a turn
costs more the longer the conversation: in the 50-user soak (`make soak`), py-spy put 45% of the Rasa
server's time in `retrieve` after a few minutes, the server ran at 100% of its core at ~14 messages a second,
and action calls timed out. Here each server keeps, per conversation, the text of the events it has read and
the id of the last one, and asks the database only for the rows from that id on.

It stays right when several servers share the database (bot/launch/cluster.py): every retrieve still asks the
database, so events another server stored are read too; the lock store serialises a conversation's turns, so
its rows are committed in id order. A conversation is read in full, as Rasa does, when its last known row is
gone or differs (database replaced) or a new session started. Events are rebuilt from text at each retrieve,
so no two trackers share an event object.

Saving, Rasa counts the stored events of the latest session to know which of the tracker's events are new, with a
query that reads every row of the conversation, whatever its session (it compares timestamps): 10 ms a message
once a conversation had 15,000 events (py-spy, reports/long_conversation.md). When nothing was stored since this
server read the conversation, and the tracker holds what it read, that count is the number of events read.

SQLAlchemy 1.4 opens a new connection for every session on an SQLite file (NullPool): with the write-ahead-log
pragma, 9% of the Rasa server's time at 40 messages a second. Here SQLite connections are pooled, as
SQLAlchemy 2.0 does by default; other databases keep the pool Rasa gives them.

Every event is cleaned of tokens and secrets before it is stored (bot/extensions/scrub.py).

Retention (TRACKER_RETENTION_DAYS, bot/launch/runtime_config.py): events older than that many days are deleted when the
Rasa server starts and then every hour, by the server itself as it saves. Here because the Rasa server is the one
process always running against the store, so the promise holds whether or not anyone runs `make review` (which
only reads); several servers on one database each delete the same rows, which is harmless. A conversation nobody
continued within the period is gone whole; one still going keeps its latest session, the only one Rasa reads.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.extensions.scrub import scrub_event

logger = logging.getLogger(__name__)

# Text of cached events kept by one server, over all conversations; least recently used ones go first.
CACHE_CHARACTERS = 64 * 2**20
RETENTION_CHECK_SECONDS = 3600
DAY_SECONDS = 86400


@dataclass
class _Conversation:
    last_id: int
    events: list[str] = field(default_factory=list)
    characters: int = 0


TIMESTAMP_INDEX = "events_timestamp_retention"  # made when TRACKER_RETENTION_DAYS is on


class IncrementalSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        *args: Any,
        cache_characters: int = CACHE_CHARACTERS,
        retention_days: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and isinstance(self.engine.pool, sa.pool.NullPool):
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=2, connect_args={"check_same_thread": False}
            )
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        if self.engine.dialect.name == "sqlite":
            # Write-ahead log: a turn's commit costs ~0.4 ms instead of ~1.4 ms here, and readers no longer wait
            # for a writer; every commit is still synced to disk. The mode stays with the file, and only this
            # store's own database is touched.
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        self.cache_characters = cache_characters
        self._conversations: OrderedDict[str, _Conversation] = OrderedDict()
        self._cached_characters = 0
        self.retention_days = retention_days or None  # 0: keep forever
        self._next_retention_check = 0.0
        if self.retention_days:
            self._index_timestamps()
        self.apply_retention()

    def _index_timestamps(self) -> None:
        """The hourly deletion finds old events through an index on their time, not by reading every event.
        Several servers may start at once: an index another one has just created is fine."""
        try:
            with self.engine.begin() as connection:
                connection.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS {TIMESTAMP_INDEX} ON {self.SQLEvent.__tablename__} (timestamp)"
                )
        except sa.exc.DBAPIError as error:
            logger.info("The events' time index was not created here (%s); another server may have made it", error)

    def apply_retention(self, now: float | None = None) -> int:
        """Deletes the events older than the retention period; returns how many went (0 when kept forever)."""
        if not self.retention_days:
            return 0
        now = time.time() if now is None else now
        self._next_retention_check = time.monotonic() + RETENTION_CHECK_SECONDS
        cutoff = now - self.retention_days * DAY_SECONDS
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.timestamp < cutoff).delete()
            session.commit()
        if deleted:
            self._conversations.clear()  # rows this server had read may be gone
            self._cached_characters = 0
            logger.info(
                "Deleted %d stored events older than %s days (TRACKER_RETENTION_DAYS)", deleted, self.retention_days
            )
        return deleted

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if self.retention_days and time.monotonic() >= self._next_retention_check:
            self.apply_retention()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if not self.domain:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            events = self._stored_events(session, sender_id)
        if not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(event) for event in events], self.domain.slots)

    def _stored_events(self, session: Any, sender_id: str) -> list[str]:
        """The event texts of the conversation's latest session, as Rasa's own query returns them."""
        event = self.SQLEvent
        known = self._forget(sender_id)
        if known is not None:
            rows = (
                session.query(event.id, event.type_name, event.data)
                .filter(event.sender_id == sender_id, event.id >= known.last_id)
                .order_by(event.id)
                .all()
            )
            unchanged = bool(rows) and (rows[0].id, rows[0].data) == (known.last_id, known.events[-1])
            new_session = any(row.type_name == SessionStarted.type_name for row in rows[1:])
            if unchanged and not new_session:
                added = [row.data for row in rows[1:]]
                known.events.extend(added)
                known.characters += sum(len(text) for text in added)
                known.last_id = rows[-1].id
                return self._remember(sender_id, known)
        rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        rows = rows.with_entities(event.id, event.data).all()
        if not rows:
            return []
        events = [row.data for row in rows]
        return self._remember(sender_id, _Conversation(rows[-1].id, events, sum(len(text) for text in events)))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events not stored yet (Rasa's own count when this server's read is not enough)."""
        stored = self._stored_events_read(session, tracker)
        if stored is None:
            return self._scrubbed(super()._additional_events(session, tracker))
        return self._scrubbed(itertools.islice(tracker.events, stored, len(tracker.events)))

    @staticmethod
    def _scrubbed(events: Iterator[Event]) -> Iterator[Event]:
        """The events about to be stored, each cleaned of secrets in place (so the tracker matches what is stored)."""
        for event in events:
            scrub_event(event)
            yield event

    def _stored_events_read(self, session: Any, tracker: DialogueStateTracker) -> int | None:
        """How many of the tracker's first events are stored: the events this server last read of the conversation,
        if the tracker begins with them and nothing was stored after them; else None."""
        known = self._conversations.get(tracker.sender_id)
        if known is None or not known.events or len(tracker.events) < len(known.events):
            return None
        if tracker.events[len(known.events) - 1].as_dict() != json.loads(known.events[-1]):
            return None
        event = self.SQLEvent
        newer = session.query(event.id).filter(event.sender_id == tracker.sender_id, event.id > known.last_id).first()
        return None if newer is not None else len(known.events)

    def _forget(self, sender_id: str) -> _Conversation | None:
        known = self._conversations.pop(sender_id, None)
        if known is not None:
            self._cached_characters -= known.characters
        return known

    def _remember(self, sender_id: str, conversation: _Conversation) -> list[str]:
        self._conversations[sender_id] = conversation
        self._cached_characters += conversation.characters
        while self._cached_characters > self.cache_characters and len(self._conversations) > 1:
            _, oldest = self._conversations.popitem(last=False)
            self._cached_characters -= oldest.characters
        return conversation.events
