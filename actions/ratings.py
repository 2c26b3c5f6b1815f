"""A rating of an answer, as stored with the conversation: which answer it rates, what that answer used.

A channel's thumbs send `/rate_answer{"rating": "up"}` or `/rate_answer{"rating": "down", "reason": "..."}` in
the conversation of the answer; it rates the latest answer. The record goes into the `last_rating` slot, so each
rating is one SlotSet event in the tracker store, found by `make review` (tools/review) with one query. Ratings never
change the knowledge base.

The action server sees only the latest two user turns' events (bot/extensions/patches/recent_events.py): enough
for the answer before a rating, and a second rating of the same answer (a reason sent after the thumb) takes the
answer from the first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

RATE_INTENT = "rate_answer"
RATINGS = ("up", "down")
MAX_REASON_CHARS = 500
MAX_ANSWER_CHARS = 300  # the answer itself stays whole in its BotUttered event; its timestamp finds it


def payload(thumb: str, reason: str | None = None) -> str:
    """The message a channel sends for a rating (Rasa reads it as the intent with these entities, without NLU)."""
    entities = {"rating": thumb, **({"reason": reason} if reason else {})}
    return f"/{RATE_INTENT}{json.dumps(entities, ensure_ascii=False)}"


def entity_value(entities: Iterable[Mapping[str, Any]], name: str) -> Any:
    return next((found.get("value") for found in entities if found.get("entity") == name), None)


def rating_of(message: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(thumb, reason) of a rating message: thumb "up", "down", or None for feedback typed in words."""
    entities = message.get("entities") or []
    thumb = entity_value(entities, "rating")
    thumb = thumb if thumb in RATINGS else None
    reason = entity_value(entities, "reason")
    if thumb is None and not str(message.get("text") or "").startswith("/"):
        reason = message.get("text")  # "that answer was wrong": kept as a comment on the answer
    reason = " ".join(reason.split())[:MAX_REASON_CHARS] if isinstance(reason, str) else None
    return thumb, reason or None


def _turns(events: list[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Events grouped by user turn: each group opens with a user event and holds what followed it."""
    turns: list[list[Mapping[str, Any]]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append([event])
        elif turns:
            turns[-1].append(event)
    return turns


def _intent(user_event: Mapping[str, Any]) -> str | None:
    return ((user_event.get("parse_data") or {}).get("intent") or {}).get("name")


def rated_answer(
    events: list[Mapping[str, Any]], previous_rating: Mapping[str, Any] | None, entries_now: list[str] | None
) -> dict[str, Any] | None:
    """The latest answer before the current (rating) message: its question, text, time and knowledge entries.
    None when no answer came before (a rating as the first message)."""
    for turn in reversed(_turns(events)[:-1]):
        if _intent(turn[0]) == RATE_INTENT:
            continue  # an earlier rating: the answer it rated comes before it
        said = [event for event in turn if event.get("event") == "bot" and event.get("text")]
        if not said:
            continue
        entries = next(
            (e.get("value") for e in reversed(turn) if e.get("event") == "slot" and e.get("name") == "answer_entries"),
            entries_now,
        )
        return {
            "question": turn[0].get("text"),
            "answer": said[-1]["text"][:MAX_ANSWER_CHARS],
            "answered_at": said[-1].get("timestamp"),
            "entries": list(entries or []),
        }
    if previous_rating and previous_rating.get("answered_at") is not None:  # a reason after the thumb
        return {key: previous_rating.get(key) for key in ("question", "answer", "answered_at", "entries")}
    return None


def reply_key(thumb: str | None, reason: str | None) -> str:
    """The key of the thanks (actions/locales/<lang>.yml) for this rating."""
    if thumb == "down":
        return "rating.down_with_reason" if reason else "rating.down"
    return "rating.up" if thumb == "up" else "rating.comment"


def record(answer: Mapping[str, Any], thumb: str | None, reason: str | None, language: str) -> dict[str, Any]:
    """What the `last_rating` slot holds for one rating."""
    return {"rating": thumb, "reason": reason, **answer, "language": language}
