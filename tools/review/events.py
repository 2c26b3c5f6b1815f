"""Reads Rasa's `events` table (SQLite or PostgreSQL, any SQLAlchemy URL) into conversations of plain event dicts.

One query per run, through SQLAlchemy Core with the table's own columns (Rasa's SQL tracker store schema), so the
same code serves every database Rasa's store supports. Only the event types the review reads are fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)
READ_TYPES = ("user", "bot", "slot", "action")


@dataclass
class Conversation:
    sender_id: str
    events: list[dict[str, Any]] = field(default_factory=list)


def read_conversations(url: str, since: datetime | None = None, until: datetime | None = None) -> list[Conversation]:
    """Every conversation's events from `since` (inclusive) to `until` (exclusive), in the order they were stored."""
    query = sa.select(EVENTS.c.sender_id, EVENTS.c.data).where(EVENTS.c.type_name.in_(READ_TYPES))
    if since is not None:
        query = query.where(EVENTS.c.timestamp >= since.timestamp())
    if until is not None:
        query = query.where(EVENTS.c.timestamp < until.timestamp())
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).exists()):
        raise SystemExit(f"No tracker store at {parsed.database}: start the bot (make serve) or set TRACKER_STORE_URL.")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return []
            rows = connection.execute(query.order_by(EVENTS.c.sender_id, EVENTS.c.id)).all()
    finally:
        engine.dispose()
    conversations: dict[str, Conversation] = {}
    for sender_id, data in rows:
        conversations.setdefault(sender_id, Conversation(sender_id)).events.append(json.loads(data))
    return list(conversations.values())
