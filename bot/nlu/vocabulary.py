"""The knowledge base's vocabulary as a phrase index over spaCy lemmas, shared by the matcher and the featurizer."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from bot.nlu.spacy_pipelines import LANGUAGES, analyse
from knowledge.store import KnowledgeStore

ENTITY_TYPES = ("framework", "scope", "task", "concept", "experience", "aspect", "goal")
INDEX_FILE = "vocabulary.json"
MIN_FUZZY_LENGTH = 4


@dataclass(frozen=True)
class Match:
    """Tokens [first, first + length) name one or more (entity, value) candidates."""

    first: int
    length: int
    candidates: tuple[tuple[str, str], ...]


def _max_typos(word: str) -> int:
    return 1 if len(word) <= 6 else 2


def _lemma_is_a_form_of(surface: str, lemma: str) -> bool:
    """Whether a term may also match by its lemma. The lookup tables give some words an unrelated lemma ("ai"
    -> "have", "was" -> "be"); matching those by lemma would find the term in every "what's" or "when is"."""
    return lemma[:2] == surface.lower()[:2]


def knowledge_terms(knowledge_db: str | None) -> list[Any]:
    """The knowledge base's terms for the entity types the NLU extracts."""
    return [term for term in KnowledgeStore(knowledge_db).terms() if term.entity in ENTITY_TYPES]


def terms_fingerprint(knowledge_db: str | None) -> str:
    """Changes whenever the vocabulary does, so Rasa retrains the components that learnt it."""
    return hashlib.sha256(repr(knowledge_terms(knowledge_db)).encode("utf-8")).hexdigest()


class Vocabulary:
    def __init__(self, index: dict[str, Any]) -> None:
        self._phrases: dict[str, dict[str, list[list[str]]]] = index["phrases"]
        self._fuzzy: dict[str, str] = index["fuzzy"]
        self._longest: int = index["longest"]

    @classmethod
    def build(cls, terms: Iterable[Any]) -> Vocabulary:
        """Lemmatise every term once; keys are space-joined lemmas (and lowercase words) per language."""
        phrases: dict[str, dict[str, list[list[str]]]] = {lang: defaultdict(list) for lang in LANGUAGES}
        fuzzy: dict[str, str] = {}
        for term in terms:
            for lang in LANGUAGES if term.language == "*" else (term.language,):
                tokens = analyse(term.phrase, lang)
                keys = {" ".join(t[0].lower() for t in tokens)}
                if all(_lemma_is_a_form_of(surface, lemma) for surface, _, lemma in tokens):
                    keys.add(" ".join(t[2] for t in tokens))
                for key in keys:
                    if [term.entity, term.value] not in phrases[lang][key]:
                        phrases[lang][key].append([term.entity, term.value])
            if term.fuzzy and " " not in term.phrase and len(term.phrase) >= MIN_FUZZY_LENGTH:
                fuzzy[term.phrase.lower()] = term.value
        longest = max((len(key.split()) for table in phrases.values() for key in table), default=1)
        return cls(
            {"phrases": {lang: dict(table) for lang, table in phrases.items()}, "fuzzy": fuzzy, "longest": longest}
        )

    def save(self, directory: Path) -> None:
        index = {"phrases": self._phrases, "fuzzy": self._fuzzy, "longest": self._longest}
        (directory / INDEX_FILE).write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Vocabulary:
        return cls(json.loads((directory / INDEX_FILE).read_text(encoding="utf-8")))

    def matches(self, tokens: list[Any], lang: str) -> list[Match]:
        """Longest phrases first, left to right; a lone word may also be a framework name with a typo."""
        table = self._phrases.get(lang, {})
        found, position = [], 0
        while position < len(tokens):
            length, candidates = self._longest_phrase(tokens, position, table)
            if not candidates:
                length, candidates = 1, self._fuzzy_framework(tokens[position].text)
            if candidates:
                found.append(Match(position, length, tuple(tuple(pair) for pair in candidates)))
            position += length
        return found

    def _longest_phrase(self, tokens: list[Any], position: int, table: dict) -> tuple[int, list]:
        for length in range(min(self._longest, len(tokens) - position), 0, -1):
            window = tokens[position : position + length]
            for key in (" ".join(t.lemma for t in window), " ".join(t.text.lower() for t in window)):
                if key in table:
                    return length, table[key]
        return 1, []

    def _fuzzy_framework(self, word: str) -> list[list[str]]:
        word = word.lower()
        if len(word) < MIN_FUZZY_LENGTH or not word.isalpha():
            return []
        best, best_distance = None, _max_typos(word) + 1
        for alias, value in self._fuzzy.items():
            if alias[0] != word[0]:
                continue
            distance = DamerauLevenshtein.distance(word, alias, score_cutoff=best_distance)
            if distance < best_distance:
                best, best_distance = value, distance
        return [["framework", best]] if best else []
