"""Rule-based entity extractor fed from the knowledge base's vocabulary.

Frameworks, aspects, tasks, concepts, experience levels and goals are matched on spaCy lemmas (so
"desplegando" matches "desplegar"), longest phrase first; framework names also match with a typo or two
("pytroch", "tensorflwo", "kers"). The vocabulary is read from the knowledge base when the model is trained
and stored in the model, so the running NLU needs no database.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language import GUESS_KEY
from bot.nlu.spacy_pipelines import DEFAULT_LANGUAGE
from bot.nlu.vocabulary import Vocabulary
from bot.nlu.vocabulary_component import LearnsVocabulary


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class KnowledgeEntityMatcher(LearnsVocabulary, GraphComponent):
    """Extracts framework, scope, aspect, task, concept, experience and goal entities with character spans."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]  # it matches the tokens' lemmas

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # knowledge_db: SQLAlchemy URL of the knowledge base to read the vocabulary from (default: the built file).
        # priority: which entity wins when one span matches several (earlier wins);
        # intent_priority: the same for messages of one intent ("distributed training" is a task in a code question);
        # told_together: entities a phrase may tell at once besides the winner, as they fill different slots ("empiezo a
        # aprender" tells the experience, beginner, and the goal, learning).
        return {
            "knowledge_db": None,
            "priority": ["framework", "scope", "concept", "experience", "aspect", "goal", "task"],
            "intent_priority": {"ask_code": ["framework", "scope", "task", "concept", "experience", "aspect", "goal"]},
            "told_together": ["experience", "goal"],
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self._config = config
        self.remember(model_storage, resource, vocabulary)
        self._rank = self._ranking(config["priority"])
        self._intent_rank = {
            intent: self._ranking(order) for intent, order in (config.get("intent_priority") or {}).items()
        }

    @staticmethod
    def _ranking(order: list[str]) -> dict[str, int]:
        return {entity: position for position, entity in enumerate(order)}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self.match(message)
            if found:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + found, add_to_output=True)
        return messages

    def match(self, message: Message) -> list[dict[str, Any]]:
        if self._vocabulary is None:
            return []
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        text = message.get(TEXT) or ""
        rank = self._intent_rank.get((message.get(INTENT) or {}).get("name"), self._rank)
        entities: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        together = set(self._config.get("told_together") or ())
        for match in self._vocabulary.matches(tokens, message.get(GUESS_KEY) or DEFAULT_LANGUAGE):
            ranked = sorted(match.candidates, key=lambda pair: rank.get(pair[0], len(rank)))
            told = [ranked[0]]
            if ranked[0][0] in together:
                for entity, value in ranked[1:]:
                    if entity in together and entity not in {pair[0] for pair in told}:
                        told.append((entity, value))
            start, end = tokens[match.first].start, tokens[match.first + match.length - 1].end
            for entity, value in told:
                if (entity, value) in seen:
                    continue
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
        return entities
