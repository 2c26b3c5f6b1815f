"""Per-message language detection (English or Spanish), learnt from the project's own NLU data.

General-purpose detectors stumble on this domain ("¿Qué es el deep learning?" is mostly English words), so
the detector is a character n-gram classifier trained on the bot's training examples, whose language
comes from the `metadata: {language: xx}` of each intent block in data/nlu/<language>.yml.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
from functools import cache
from importlib import import_module
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from bot.nlu.vocabulary import knowledge_terms, terms_fingerprint
from knowledge.text import LANGUAGES, WORD, fold

logger = logging.getLogger(__name__)

LANGUAGE_KEY = "language"
GUESS_KEY = "language_guess"
CONFIDENCE_KEY = "language_confidence"
MODEL_FILE = "language_detector.pkl"
SHARED_FILE = "shared_words.json"  # words of the knowledge base's names both languages use ("vllm", "hugging face")


def example_language(message: Message) -> str | None:
    """The language a training example was written in, from its intent block's metadata."""
    metadata = message.get("metadata") or {}
    for level in ("example", "intent"):
        value = (metadata.get(level) or {}).get(LANGUAGE_KEY) if isinstance(metadata.get(level), dict) else None
        if value:
            return value
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageDetector(GraphComponent):
    """Adds `language` ("en", "es", or None when unsure) and `language_confidence` to each parsed message.

    Below the threshold the dialogue keeps the language of the conversation so far.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # knowledge_db: SQLAlchemy URL of the knowledge base to read the names from (default: the built file).
        return {"threshold": 0.7, "knowledge_db": None}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the knowledge base's names change, even if the NLU data did not."""
        return terms_fingerprint(config.get("knowledge_db"))

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
        shared: frozenset[str] = frozenset(),
    ) -> None:
        self._config = config
        self._threshold = config["threshold"]
        self._storage = model_storage
        self._resource = resource
        self._model = model
        self._shared = shared

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        with model_storage.read_from(resource) as directory:
            model = pickle.loads((directory / MODEL_FILE).read_bytes())
            shared_file = directory / SHARED_FILE
            shared = frozenset(json.loads(shared_file.read_text(encoding="utf-8"))) if shared_file.exists() else None
        return cls(config, model_storage, resource, model, shared or frozenset())

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for message in training_data.intent_examples:
            lang = example_language(message)
            if lang:
                texts.append(message.get(TEXT).lower())
                labels.append(lang)
        if len(set(labels)) < 2:
            raise ValueError(
                "LanguageDetector needs examples in at least two languages: add `metadata: {language: en}` "
                "(or es) to every intent block in data/nlu/<language>.yml."
            )
        model = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=1000),
        )
        model.fit(texts, labels)
        self._model = model
        self._shared = shared_words(knowledge_terms(self._config.get("knowledge_db")))
        with self._storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_bytes(pickle.dumps(model))
            (directory / SHARED_FILE).write_text(json.dumps(sorted(self._shared)), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep the language they were written in, so the tokenizer lemmatises them right."""
        for message in training_data.training_examples:
            message.set(GUESS_KEY, example_language(message) or self._detect(message.get(TEXT) or "")[0])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            lang, confidence = self._detect(message.get(TEXT) or "")
            message.set(GUESS_KEY, lang)
            message.set(LANGUAGE_KEY, lang if confidence >= self._threshold else None, add_to_output=True)
            message.set(CONFIDENCE_KEY, round(confidence, 3), add_to_output=True)
        return messages

    def _detect(self, text: str) -> tuple[str | None, float]:
        """The most likely language and its probability (None, 0.0 for an empty message). When the character
        model is unsure, the little words decide the guess: "triton hace batching dinamico?" is mostly English
        technical words, and "hace" says it is Spanish. When they say nothing either ("pytorch vs tensorflow?",
        "jax?": names only), there is no guess, and the reply keeps the conversation's language or the default:
        the unsure model's lean on names is noise (it answered that first message in Spanish). Before the little
        words, the model reads the message again without its code, then without the words of names both languages
        use, then without either, and takes the first reading it is sure of: "from transformers import TFAutoModel me
        tira ImportError, lo sacaron?", "resumime vllm", "contame q onda hugging face" are unsure whole, as the
        code's and the names' English letters weigh in."""
        if self._model is None or not text.strip() or text.startswith(INTENT_MESSAGE_PREFIX):
            return None, 0.0
        if is_in_both_languages(text):  # "no" after an English answer is no switch to Spanish
            return None, 0.0
        lang, confidence = self._classify(text)
        if confidence < self._threshold:
            prose = without_code(text)
            for reading in dict.fromkeys((prose, self._without_names(text), self._without_names(prose))):
                if reading and reading != text:
                    found, sure = self._classify(reading)
                    if sure >= self._threshold:
                        return found, sure
            lang = function_word_vote(text, [str(c) for c in self._model.classes_])
        return lang, confidence

    def _without_names(self, text: str) -> str:
        """The text's words that are no words of names both languages use (`shared_words`); empty when all are."""
        return " ".join(word for word in WORD.findall(text.lower()) if fold(word) not in self._shared)

    def _classify(self, text: str) -> tuple[str, float]:
        """The character model's most likely language for a text, and its probability."""
        probabilities = self._model.predict_proba([text.lower()])[0]
        best = int(probabilities.argmax())
        return str(self._model.classes_[best]), float(probabilities[best])


# Code in a message is in no one's language: an import line, and words with a dot or an underscore inside or followed
# by a bracket or "=" ("torch.compile", "batch_size", "list_physical_devices('GPU')"); not a sentence's end ("yes.").
# With code, the words with a capital inside are code too ("ImportError", "TFAutoModel"); without, they are names.
CODE = re.compile(r"`[^`]*`|\b(?:from\s+\S+\s+)?import\s+\S+|\S*(?:\w[._]\w|\w[(\[=])\S*")
CAMEL_CASE = re.compile(r"\b\w*[a-z][A-Z]\w*")


def without_code(text: str) -> str:
    """A message without its code (CODE, CAMEL_CASE), or the message itself when it holds none."""
    if not CODE.search(text):
        return text
    return " ".join(CAMEL_CASE.sub(" ", CODE.sub(" ", text)).split())


def shared_words(terms: list[Any]) -> frozenset[str]:
    """The (folded) words of the knowledge base's terms that both languages use: names, mostly ("pytorch", "vllm",
    "hugging face"), and the English words Spanish speakers use too ("batch", "fine-tuning")."""
    seen: dict[str, set[str]] = {}
    for term in terms:
        for word in WORD.findall(fold(term.phrase)):
            seen.setdefault(word, set()).update(LANGUAGES if term.language == "*" else (term.language,))
    return frozenset(word for word, languages in seen.items() if len(languages) > 1)


def is_in_both_languages(text: str) -> bool:
    """Whether a message is only words both languages' stop-word lists hold ("no", "me", "a"): it says nothing of its
    language, however sure the character model is (it read "no" as Spanish)."""
    words = folded_words(text)
    shared = frozenset.intersection(*(stop_words(lang) for lang in LANGUAGES))
    return bool(words) and all(word in shared for word in words)


def guess_language(text: str) -> str | None:
    """A guess from the message's own little words, without the NLU (a channel refusing a message it never
    passed to the NLU): the language whose exclusive stop words it uses most, or None."""
    return function_word_vote(text, list(LANGUAGES))


def function_word_vote(text: str, languages: list[str]) -> str | None:
    """The language whose own stop words (spaCy's lists, minus the words the languages share) the text uses
    most, or None on a tie."""
    words = folded_words(text)
    own = exclusive_stop_words(tuple(languages))
    counts = {lang: sum(word in own[lang] for word in words) for lang in languages}
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    if len(ranked) < 2 or ranked[0][1] > ranked[1][1]:
        return ranked[0][0] if ranked and ranked[0][1] else None
    return None


def folded_words(text: str) -> list[str]:
    return [fold(word) for word in WORD.findall(text.lower())]


@cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words of a language, folded."""
    return frozenset(fold(word) for word in import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS)


@cache
def exclusive_stop_words(languages: tuple[str, ...]) -> dict[str, frozenset[str]]:
    lists = {lang: stop_words(lang) for lang in languages}
    exclusive = {}
    for lang, words in lists.items():
        exclusive[lang] = words - frozenset().union(*(lists[other] for other in languages if other != lang))
    return exclusive
