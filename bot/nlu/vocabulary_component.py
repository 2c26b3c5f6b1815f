"""What every NLU component that learns the knowledge base's vocabulary shares: create, load, train, fingerprint."""

from __future__ import annotations

from typing import Any, Self

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.vocabulary import Vocabulary, knowledge_terms, terms_fingerprint


class LearnsVocabulary:
    """Mixin for a Rasa GraphComponent whose config has `knowledge_db` (None: the built knowledge base)."""

    _config: dict[str, Any]

    def remember(self, model_storage: ModelStorage, resource: Resource, vocabulary: Vocabulary | None) -> None:
        self._storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        with model_storage.read_from(resource) as directory:
            return cls(config, model_storage, resource, Vocabulary.load(directory))

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the vocabulary in the knowledge base changes, even if the NLU data did not."""
        return terms_fingerprint(config.get("knowledge_db"))

    def train(self, training_data: TrainingData) -> Resource:
        self._vocabulary = Vocabulary.build(knowledge_terms(self._config.get("knowledge_db")))
        with self._storage.write_to(self._resource) as directory:
            self._vocabulary.save(directory)
        return self._resource
