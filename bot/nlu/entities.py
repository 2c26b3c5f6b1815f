"""Rule-based entity matcher fed from the knowledge base's vocabulary.

Frameworks, aspects, tasks, concepts, experience levels and goals are matched on spaCy lemmas (so
"desplegando" matches "desplegar"), longest phrase first; framework names also match with a typo or two
("pytroch", "tensorflwo", "kers"). The vocabulary is read from the knowledge base when the model is trained
and stored in the model, so the running NLU needs no database.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from typing import Any, Iterable

from rapidfuzz.distance import DamerauLevenshtein
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.spacy_pipelines import SUPPORTED, analyse
from knowledge.store import KnowledgeStore

logger = logging.getLogger(__name__)

INDEX_FILE = "vocabulary.json"
MIN_FUZZY_LENGTH = 4


def _max_typos(word: str) -> int:
    return 1 if len(word) <= 6 else 2


def build_index(terms: Iterable[Any]) -> dict[str, Any]:
    """Lemmatise every term once; keys are space-joined lemma sequences per language."""
    phrases: dict[str, dict[str, list[list[str]]]] = {lang: defaultdict(list) for lang in SUPPORTED}
    fuzzy: dict[str, str] = {}
    for term in terms:
        languages = SUPPORTED if term.language == "*" else (term.language,)
        for lang in languages:
            tokens = analyse(term.phrase, lang)
            for key in {" ".join(t[2] for t in tokens), " ".join(t[0].lower() for t in tokens)}:
                pair = [term.entity, term.value]
                if pair not in phrases[lang][key]:
                    phrases[lang][key].append(pair)
        if term.fuzzy and " " not in term.phrase and len(term.phrase) >= MIN_FUZZY_LENGTH:
            fuzzy[term.phrase.lower()] = term.value
    longest = max((len(key.split()) for table in phrases.values() for key in table), default=1)
    return {"phrases": {lang: dict(table) for lang, table in phrases.items()}, "fuzzy": fuzzy, "longest": longest}


def _entity_terms(config: dict[str, Any]) -> list[Any]:
    """The knowledge base's terms for the entity types this matcher extracts."""
    wanted = set(config["priority"])
    return [term for term in KnowledgeStore(config.get("knowledge_db")).terms() if term.entity in wanted]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class KnowledgeEntityMatcher(GraphComponent):
    """Extracts framework, aspect, task, concept, experience and goal entities with character spans."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # knowledge_db: SQLAlchemy URL of the knowledge base to read the vocabulary from (default: the built file).
        # priority: which entity wins when one span matches several (earlier wins);
        # intent_priority: the same for messages of one intent ("distributed training" is a task in a code question).
        return {
            "knowledge_db": None,
            "priority": ["framework", "scope", "concept", "experience", "aspect", "goal", "task"],
            "intent_priority": {"ask_code": ["framework", "scope", "task", "concept", "experience", "aspect", "goal"]},
        }

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, index: dict | None = None
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._index = index or {"phrases": {}, "fuzzy": {}, "longest": 1}
        self._rank = {entity: position for position, entity in enumerate(config["priority"])}
        self._intent_rank = {
            intent: {entity: position for position, entity in enumerate(order)}
            for intent, order in (config.get("intent_priority") or {}).items()
        }

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> KnowledgeEntityMatcher:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> KnowledgeEntityMatcher:
        with model_storage.read_from(resource) as directory:
            index = json.loads((directory / INDEX_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, index)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the vocabulary in the knowledge base changes, even if the NLU data did not."""
        terms = _entity_terms({**cls.get_default_config(), **config})
        return hashlib.sha256(repr(terms).encode("utf-8")).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        self._index = build_index(_entity_terms(self._config))
        with self._storage.write_to(self._resource) as directory:
            (directory / INDEX_FILE).write_text(json.dumps(self._index, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self.match(message)
            if found:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + found, add_to_output=True)
        return messages

    def match(self, message: Message) -> list[dict[str, Any]]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        lang = message.get("language_guess") or message.get("language") or "en"
        table = self._index["phrases"].get(lang, {})
        text = message.get(TEXT) or ""
        rank = self._intent_rank.get((message.get(INTENT) or {}).get("name"), self._rank)
        entities: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        position = 0
        while position < len(tokens):
            hit = self._longest_phrase(tokens, position, table)
            if hit:
                length, pairs = hit
            else:
                length, pairs = 1, self._fuzzy_framework(tokens[position].text)
            if pairs:
                entity, value = min(pairs, key=lambda pair: rank.get(pair[0], len(rank)))
                start, end = tokens[position].start, tokens[position + length - 1].end
                if (entity, value) not in seen:
                    seen.add((entity, value))
                    entities.append(
                        {
                            "entity": entity,
                            "value": value,
                            "start": start,
                            "end": end,
                            "text": text[start:end],
                            "confidence_entity": 1.0,
                            "extractor": self.__class__.__name__,
                        }
                    )
            position += length
        return entities

    def _longest_phrase(self, tokens: list, position: int, table: dict) -> tuple[int, list] | None:
        for length in range(min(self._index["longest"], len(tokens) - position), 0, -1):
            window = tokens[position : position + length]
            for key in (" ".join(t.lemma for t in window), " ".join(t.text.lower() for t in window)):
                if key in table:
                    return length, table[key]
        return None

    def _fuzzy_framework(self, word: str) -> list[list[str]]:
        word = word.lower()
        if len(word) < MIN_FUZZY_LENGTH or not word.isalpha():
            return []
        best, best_distance = None, _max_typos(word) + 1
        for alias, value in self._index["fuzzy"].items():
            if alias[0] != word[0]:
                continue
            distance = DamerauLevenshtein.distance(word, alias, score_cutoff=best_distance)
            if distance < best_distance:
                best, best_distance = value, distance
        return [["framework", best]] if best else []
