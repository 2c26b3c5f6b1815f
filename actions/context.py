"""What the user is asking about, from the latest message first and the conversation so far second."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.answers import Question
from knowledge.text import choose_language

FOLLOW_UP = "follow_up"
SUBJECT_ENTITIES = ("framework", "concept")
WORD = re.compile(r"[^\W_]+")


def language(tracker: Tracker) -> str:
    """The reply's language by the one rule (knowledge.text.choose_language), from what the NLU and the channel
    put on the latest message."""
    message = tracker.latest_message
    return choose_language(
        detected=message.get("language"),
        conversation=tracker.get_slot("language"),
        declared=(message.get("metadata") or {}).get("language"),  # e.g. the widget's page language
        guess=(message.get("lemmas") or {}).get("language"),  # the language the NLU lemmatised it in
    )


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    values: list[str] = []
    for found in tracker.latest_message.get("entities") or []:
        value = found.get("value")
        if found.get("entity") == entity and value not in values:
            values.extend(value if isinstance(value, list) else [value])
    return values


def is_follow_up(tracker: Tracker) -> bool:
    return (tracker.latest_message.get("intent") or {}).get("name") == FOLLOW_UP


def code_subjects(tracker: Tracker, coded: list[str]) -> list[str]:
    """What code is asked for: the frameworks and the other subjects with code (`coded`) named now ("a training loop
    in JAX": JAX is a concept), else the conversation's frameworks, else on a follow-up its concept if it has code."""
    named = [*entity_values(tracker, "framework"), *(s for s in entity_values(tracker, "concept") if s in coded)]
    carried = named or list(tracker.get_slot("frameworks") or [])
    concept = tracker.get_slot("concept")
    if not carried and is_follow_up(tracker) and concept in coded:
        return [concept]
    return carried


def current(tracker: Tracker, entity: str) -> str | None:
    """An entity named now; on a follow-up ("and for deployment?") the previous one counts too."""
    values = entity_values(tracker, entity)
    if values:
        return values[0]
    return tracker.get_slot(entity) if is_follow_up(tracker) else None


def wants_all(tracker: Tracker) -> bool:
    return "all" in entity_values(tracker, "scope")


def subjects_named(tracker: Tracker) -> list[str]:
    return [value for entity in SUBJECT_ENTITIES for value in entity_values(tracker, entity)]


def question(tracker: Tracker, carry_subjects: bool = False) -> Question:
    """The latest message as a question for the knowledge store, with the lemmas the NLU found.

    Words inside a framework or concept entity are left to the entity (so "pytroch" counts as PyTorch, not as
    an unknown word). With `carry_subjects`, a message that names no subject is about the conversation's
    ("who made it?"). A button payload ("/ask_code{...}") says what it asks through its intent and entities
    only, so it has no words to search with."""
    message = tracker.latest_message
    text = message.get("text") or ""
    lemmas = message.get("lemmas") or {}
    spans = [
        (found["start"], found["end"])
        for found in message.get("entities") or []
        if found.get("entity") in SUBJECT_ENTITIES and "start" in found and "end" in found
    ]
    if lemmas.get("tokens") is not None:
        tokens = [
            (surface, lemma)
            for surface, lemma, start in lemmas["tokens"]
            if not any(first <= start < end for first, end in spans)
        ]
    elif text.startswith("/"):
        tokens = []
    else:
        tokens = [(word, word) for word in WORD.findall(text.lower())]
    subjects = subjects_named(tracker)
    if not subjects and carry_subjects:
        subjects = list(tracker.get_slot("frameworks") or []) or [s for s in [tracker.get_slot("concept")] if s]
    aspects = entity_values(tracker, "aspect")
    if not aspects and is_follow_up(tracker) and tracker.get_slot("aspect"):
        aspects = [tracker.get_slot("aspect")]
    search_language = lemmas.get("language") or language(tracker)
    named_at: dict[str, int] = {}
    for found in message.get("entities") or []:
        if found.get("entity") in SUBJECT_ENTITIES and "start" in found:
            named_at[found["value"]] = min(found["start"], named_at.get(found["value"], found["start"]))
    kinds = tuple(dict.fromkeys(str(found.get("entity")) for found in message.get("entities") or []))
    found_spans = [
        (found["start"], found["end"])
        for found in message.get("entities") or []
        if found.get("entity") not in SUBJECT_ENTITIES and "start" in found and "end" in found
    ]
    untold = None
    if lemmas.get("tokens") is not None:
        untold = [
            (surface, lemma)
            for surface, lemma, start in lemmas["tokens"]
            if not any(first <= start < end for first, end in found_spans)
        ]
    whole = Question(text, search_language, tokens, subjects, aspects, named_at=named_at, entities=kinds, untold=untold)
    span = asked_span(lemmas.get("tokens") or [])
    if span is not None:
        first, end = span
        named = [
            found["value"]
            for found in message.get("entities") or []
            if found.get("entity") in SUBJECT_ENTITIES and first <= found.get("start", -1) < end
        ]
        inside = [(surface, lemma) for surface, lemma, start in lemmas["tokens"] if first <= start < end]
        kept = [pair for pair in inside if pair in tokens]  # minus the words of subject entities, as above
        whole.part = Question(text[first:end], search_language, kept, named or subjects, aspects, entities=kinds)
    return whole


def asked_span(tokens: list[list]) -> tuple[int, int] | None:
    """Where the question is in a message of several sentences, as (start, end) characters: its sentences that end
    in "?" ("que es jax? lo vi en un tutorial de keras"). None for one sentence, or when no sentence is asked."""
    sentences, words, first = [], 0, 0
    for surface, _, start in tokens:
        if WORD.search(surface):
            words += 1
        if surface in ("?", "."):
            if words:
                sentences.append((first, start + 1, surface == "?"))
            first, words = start + 1, 0
    if words:
        sentences.append((first, tokens[-1][2] + len(tokens[-1][0]), False))
    asked = [(start, end) for start, end, is_asked in sentences if is_asked]
    if not asked or len(asked) == len(sentences):
        return None
    return asked[0][0], asked[-1][1]
