"""Tokenizer that lemmatises each message with the spaCy pipeline of the message's own language."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language import GUESS_KEY, LanguageDetector
from bot.nlu.spacy_pipelines import DEFAULT_LANGUAGE, LANGUAGES, analyse, pipeline

LEMMAS_KEY = "lemmas"  # read by actions/context.py


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class BilingualSpacyTokenizer(Tokenizer):
    """Tokens carry spaCy lemmas, so CountVectorsFeaturizer and the entity matcher see "deploying" as "deploy"."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def required_components(cls) -> list[type]:
        return [LanguageDetector]  # without it every message would silently be lemmatised as English

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BilingualSpacyTokenizer:
        for lang in LANGUAGES:  # load the lemma tables now, not during the first user's message (~3 s)
            pipeline(lang)
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Tokens as Rasa needs them, plus the lemmas in the parse result: the actions search the knowledge
        base with them, without loading spaCy themselves."""
        messages = super().process(messages)
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            lemmas = {
                "language": message.get(GUESS_KEY) or DEFAULT_LANGUAGE,
                "tokens": [[token.text, token.lemma, token.start] for token in tokens],
            }
            message.set(LEMMAS_KEY, lemmas, add_to_output=True)
        return messages

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        lang = message.get(GUESS_KEY) or DEFAULT_LANGUAGE
        tokens = [Token(surface, start, lemma=lemma) for surface, start, lemma in analyse(text, lang)]
        return self._apply_token_pattern(tokens)
