"""The custom NLU components on their own: lemmas, the knowledge-fed entity matcher, typos."""

from __future__ import annotations

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.entities import KnowledgeEntityMatcher
from bot.nlu.language import GUESS_KEY, function_word_vote
from bot.nlu.spacy_pipelines import analyse
from bot.nlu.tokenizer import BilingualSpacyTokenizer
from bot.nlu.vocabulary import Vocabulary, knowledge_terms


@pytest.fixture(scope="module")
def matcher(kb_path):
    config = {**KnowledgeEntityMatcher.get_default_config(), "knowledge_db": f"sqlite:///{kb_path}"}
    return KnowledgeEntityMatcher(config, None, None, Vocabulary.build(knowledge_terms(config["knowledge_db"])))


def parse(matcher, text: str, lang: str) -> dict[str, list[str]]:
    message = Message({TEXT: text, GUESS_KEY: lang})
    tokenizer = BilingualSpacyTokenizer(BilingualSpacyTokenizer.get_default_config())
    message.set(TOKENS_NAMES[TEXT], tokenizer.tokenize(message, TEXT))
    found: dict[str, list[str]] = {}
    for item in matcher.match(message):
        assert text[item["start"] : item["end"]] == item["text"]
        found.setdefault(item["entity"], []).append(item["value"])
    return found


def test_spanish_lemmas():
    lemmas = [lemma for _, _, lemma in analyse("¿Cómo guardo los modelos entrenados?", "es")]
    assert "guardar" in lemmas and "modelo" in lemmas


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        (
            "PyTorch vs TensorFlow for deployment?",
            "en",
            {"framework": ["pytorch", "tensorflow"], "aspect": ["deployment"]},
        ),
        ("pytroch or tensorflwo, which is faster", "en", {"framework": ["pytorch", "tensorflow"], "aspect": ["speed"]}),
        ("is kers easier than torch?", "en", {"framework": ["keras", "pytorch"], "aspect": ["learning_curve"]}),
        ("show me a training loop in tf", "en", {"framework": ["tensorflow"], "task": ["train"]}),
        ("¿cómo guardo un modelo en TensorFlow?", "es", {"task": ["save_load"], "framework": ["tensorflow"]}),
        ("¿Qué es el deep learning?", "es", {"concept": ["deep_learning"]}),
        ("soy principiante y quiero investigar", "es", {"experience": ["beginner"], "goal": ["research"]}),
        ("show me the same thing in all three", "en", {"scope": ["all"]}),
        # vocabulary.yml: the bare "laburo" tells where the user works; "conseguir laburo" is the goal
        ("en el laburo tenemos que poner modelos en produccion, que framework usamos", "es", {"goal": None}),
        ("quiero conseguir laburo, que framework aprendo", "es", {"goal": ["industry_job"]}),
        # vocabulary.yml: how little experience is said before the word "experience" (whose lemma the bare
        # "experienced" and "experiencia" matched)
        ("no tengo experiencia con redes, con cual arranco", "es", {"experience": ["beginner"]}),
        ("cero experiencia en ia, qué framework me recomiendan", "es", {"experience": ["beginner"]}),
        ("zero experience with neural nets, what should i pick", "en", {"experience": ["beginner"]}),
        ("how much experience do you need before learning jax", "en", {"experience": None}),
        ("I'm experienced in computer vision, which one for research", "en", {"experience": ["experienced"]}),
        ("llevo años de experiencia con sklearn, cuál aprendo", "es", {"experience": ["experienced"]}),
        # vocabulary.yml and told_together: starting to learn tells the level and the goal at once
        (
            "I want to start learning neural networks, which framework",
            "en",
            {"experience": ["beginner"], "goal": ["learning"]},
        ),
        (
            "quiero empezar a aprender redes neuronales, cuál uso",
            "es",
            {"experience": ["beginner"], "goal": ["learning"]},
        ),
        ("recién parto con redes neuronales, qué framework me sirve", "es", {"experience": ["beginner"]}),
        ("llevo años programando con sklearn, cuál aprendo ahora", "es", {"experience": ["experienced"]}),
        # vocabulary.yml: vision work is computer vision; so is the Spanish of Spain's "visión por ordenador"
        ("our team does vision work on drone footage, which framework", "en", {"goal": ["computer_vision"]}),
        ("proyecto de visión por ordenador con cámaras de tráfico, cuál uso", "es", {"goal": ["computer_vision"]}),
        ("fresher here, never touched pytorch or keras, where do i begin", "en", {"experience": ["beginner"]}),
        ("nunca he tocado keras ni pytorch, ¿cuál me conviene?", "es", {"experience": ["beginner"]}),
    ],
)
def test_entities(matcher, text, lang, expected):
    found = parse(matcher, text, lang)
    for entity, values in expected.items():
        assert found.get(entity) == values, (text, found)


def test_ordinary_words_are_not_frameworks(matcher):
    assert "framework" not in parse(matcher, "I like cars and kernels, years ago", "en")


def test_featurizer_marks_the_words_that_name_entities(matcher, kb_path):
    from bot.nlu.entity_features import KnowledgeEntityFeaturizer
    from bot.nlu.vocabulary import ENTITY_TYPES

    config = {**KnowledgeEntityFeaturizer.get_default_config(), "knowledge_db": f"sqlite:///{kb_path}"}
    featurizer = KnowledgeEntityFeaturizer(
        config, None, None, Vocabulary.build(knowledge_terms(config["knowledge_db"]))
    )
    message = Message({TEXT: "how do I load weights in pytroch", GUESS_KEY: "en"})
    tokenizer = BilingualSpacyTokenizer(BilingualSpacyTokenizer.get_default_config())
    tokens = tokenizer.tokenize(message, TEXT)
    sequence, sentence = featurizer.features(tokens, "en")
    assert sequence.shape == (len(tokens), len(ENTITY_TYPES))
    dense = sequence.toarray()
    framework = ENTITY_TYPES.index("framework")
    assert dense[-1, framework] == 1 and dense[:-1, framework].sum() == 0
    assert sentence.toarray()[0, framework] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("triton hace batching dinamico?", "es"),
        ("tensorflow lite ahora se llama litert?", "es"),
        ("is dropout active during inference", "en"),
        ("keras vs pytorch", None),  # nothing to tell them apart
    ],
)
def test_function_words_decide_an_unsure_language(text, expected):
    assert function_word_vote(text, ["en", "es"]) == expected


def test_an_unsure_message_of_names_only_has_no_language_guess():
    """The character model leans one way or the other on "pytorch vs tensorflow?"; with no little word to decide,
    the detector makes no guess, so the reply keeps the conversation's language or the default."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from bot.nlu.language import LanguageDetector

    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4)), LogisticRegression())
    model.fit(
        ["what is the best one", "how do i train it", "que es lo mejor", "como lo entreno"], ["en", "en", "es", "es"]
    )
    detector = LanguageDetector(LanguageDetector.get_default_config(), None, None, model)
    lang, confidence = detector._detect("pytorch vs tensorflow?")
    assert confidence < LanguageDetector.get_default_config()["threshold"]
    assert lang is None
    assert detector._detect("tensorflow o pytorch, cual es mejor?")[0] == "es"


def test_a_message_of_words_both_languages_use_has_no_language_guess_however_sure_the_model_is():
    """A character model trained on "no sé" reads "no" as Spanish; after an English answer, "no" is no switch."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from bot.nlu.language import LanguageDetector

    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4)), LogisticRegression(C=10.0))
    model.fit(["what is the best one", "thanks a lot", "no", "no sé", "no gracias"], ["en", "en", "es", "es", "es"])
    detector = LanguageDetector(LanguageDetector.get_default_config(), None, None, model)
    assert detector._classify("no")[0] == "es"  # the model alone
    assert detector._detect("no") == (None, 0.0) and detector._detect("No!") == (None, 0.0)
    assert detector._detect("no gracias")[0] == "es"  # "gracias" is Spanish only


def test_code_is_left_out_of_a_message_only_when_it_holds_some():
    from bot.nlu.language import without_code

    assert without_code("from torch.utils.data import DataLoader me tira ImportError, por que?") == "me tira , por que?"
    assert without_code("tf.config.list_physical_devices('GPU') devuelve una lista vacia") == "devuelve una lista vacia"
    # a name with a capital inside is no code on its own, nor is a sentence's end
    assert without_code("TensorFlow o PyTorch? yes.") == "TensorFlow o PyTorch? yes."


def test_the_words_of_names_both_languages_use_are_shared():
    from bot.nlu.language import shared_words
    from knowledge.store import Term

    terms = [
        Term(entity="framework", value="pytorch", language="*", phrase="PyTorch", fuzzy=True),
        Term(entity="concept", value="vllm", language="en", phrase="vLLM", fuzzy=False),
        Term(entity="concept", value="vllm", language="es", phrase="vllm", fuzzy=False),
        Term(entity="task", value="training", language="en", phrase="training loop", fuzzy=False),
        Term(entity="task", value="training", language="es", phrase="bucle de entrenamiento", fuzzy=False),
    ]
    assert shared_words(terms) == {"pytorch", "vllm"}


def _validate_pipeline(without: str | None = None) -> None:
    """Rasa's own check of a training graph, on config.yml with one component left out."""
    import yaml
    from rasa.engine.recipes.recipe import Recipe
    from rasa.engine.validation import validate
    from rasa.shared.data import TrainingType

    from knowledge.paths import ROOT

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = [step for step in config["pipeline"] if step["name"] != without]
    recipe = Recipe.recipe_for_name(config.get("recipe"))
    validate(recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.NLU))


def test_the_pipeline_of_config_yml_has_every_component_its_parts_need():
    _validate_pipeline()


@pytest.mark.parametrize(
    ("left_out", "needed"),
    [
        ("bot.nlu.language.LanguageDetector", "LanguageDetector"),
        ("bot.nlu.tokenizer.BilingualSpacyTokenizer", "Tokenizer"),
    ],
)
def test_a_pipeline_without_a_component_another_needs_fails_before_training(left_out, needed):
    from rasa.engine.exceptions import GraphSchemaValidationException

    with pytest.raises(GraphSchemaValidationException, match=needed):
        _validate_pipeline(without=left_out)
