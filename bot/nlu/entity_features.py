"""Sparse features saying which words name a framework, task, aspect... (from the knowledge base's vocabulary).

DIET then knows that "how do I load weights in pytroch" mentions a framework, which no character n-gram
of the training data would tell it, and keeps such questions in scope.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.language import GUESS_KEY
from bot.nlu.spacy_pipelines import DEFAULT_LANGUAGE
from bot.nlu.vocabulary import ENTITY_TYPES, Vocabulary
from bot.nlu.vocabulary_component import LearnsVocabulary


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class KnowledgeEntityFeaturizer(LearnsVocabulary, SparseFeaturizer, GraphComponent):
    """One feature per entity type, set on the tokens (and the sentence) that name one."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**SparseFeaturizer.get_default_config(), "knowledge_db": None}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to check: every setting has a usable default."""

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        SparseFeaturizer.__init__(self, self.__class__.__name__, config)
        self.remember(model_storage, resource, vocabulary)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if tokens and self._vocabulary is not None:
                sequence, sentence = self.features(tokens, message.get(GUESS_KEY) or DEFAULT_LANGUAGE)
                self.add_features_to_message(sequence, sentence, TEXT, message)
        return messages

    def features(self, tokens: list[Any], lang: str) -> tuple[scipy.sparse.coo_matrix, scipy.sparse.coo_matrix]:
        sequence = np.zeros((len(tokens), len(ENTITY_TYPES)))
        for match in self._vocabulary.matches(tokens, lang):
            for entity, _ in match.candidates:
                sequence[match.first : match.first + match.length, ENTITY_TYPES.index(entity)] = 1.0
        sentence = sequence.max(axis=0, keepdims=True)
        return scipy.sparse.coo_matrix(sequence), scipy.sparse.coo_matrix(sentence)
