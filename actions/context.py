"""What the user is asking about, from the latest message first and the conversation so far second."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.i18n import DEFAULT_LANGUAGE, LANGUAGES

FOLLOW_UP = "follow_up"


def language(tracker: Tracker) -> str:
    """The latest message's language when the detector was sure, else the conversation's, else the page's."""
    detected = tracker.latest_message.get("language")
    if detected in LANGUAGES:
        return detected
    previous = tracker.get_slot("language")
    if previous in LANGUAGES:
        return previous
    declared = (tracker.latest_message.get("metadata") or {}).get("language")  # e.g. the widget's page language
    return declared if declared in LANGUAGES else DEFAULT_LANGUAGE


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    values: list[str] = []
    for found in tracker.latest_message.get("entities") or []:
        value = found.get("value")
        if found.get("entity") == entity and value not in values:
            values.extend(value if isinstance(value, list) else [value])
    return values


def is_follow_up(tracker: Tracker) -> bool:
    return (tracker.latest_message.get("intent") or {}).get("name") == FOLLOW_UP


def frameworks(tracker: Tracker) -> list[str]:
    """Frameworks named now, else those of the conversation so far."""
    return entity_values(tracker, "framework") or list(tracker.get_slot("frameworks") or [])


def current(tracker: Tracker, entity: str) -> str | None:
    """An entity named now; on a follow-up ("and for deployment?") the previous one counts too."""
    values = entity_values(tracker, entity)
    if values:
        return values[0]
    return tracker.get_slot(entity) if is_follow_up(tracker) else None


def wants_all(tracker: Tracker) -> bool:
    return "all" in entity_values(tracker, "scope")
