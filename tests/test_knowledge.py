"""The knowledge base: the builder's checks, the query API, and read-only access."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from actions.answers import ANSWER
from actions.i18n import table
from knowledge import build as builder
from knowledge import text as text_module
from knowledge.index import subject_term
from knowledge.paths import ROOT
from knowledge.store import OTHER_SUBJECT, KnowledgeBaseUnavailable, KnowledgeStore
from knowledge.text import analyse, index_word

ARTICLE = "article-2022"
FRAMEWORKS = ("keras", "tensorflow", "pytorch")


def test_every_framework_has_a_definition_and_origin_in_both_languages(store):
    for framework in FRAMEWORKS:
        for lang in ("en", "es"):
            assert store.facts(framework, lang, "definition"), (framework, lang)
            assert store.facts(framework, lang, "origin"), (framework, lang)


def test_article_claims_are_sourced_and_outdated_ones_carry_their_update(store):
    backends = store.facts("keras", "en", "backends")
    article = [claim for claim in backends if claim.source.id == ARTICLE]
    assert article, "the article's claim about Keras backends is missing"
    newer = [update for claim in article for update in claim.newer]
    assert newer and all(update.source.id != ARTICLE for update in newer)
    assert any("JAX" in update.text for update in newer)


def test_languages_differ(store):
    english = store.facts("pytorch", "en", "definition")[0].text
    spanish = store.facts("pytorch", "es", "definition")[0].text
    assert english != spanish


@pytest.mark.parametrize("aspect", ["deployment", "debugging", "visualization", "distributed"])
def test_pytorch_tensorflow_comparisons_exist(store, aspect):
    claims = store.comparisons(["pytorch", "tensorflow"], "en", aspect)
    assert claims, aspect
    assert all(claim.aspect == aspect for claim in claims)


def test_article_says_tensorflow_deploys_better_and_an_update_follows(store):
    claims = store.comparisons(["tensorflow", "pytorch"], "en", "deployment")
    article = [claim for claim in claims if claim.source.id == ARTICLE]
    assert any(claim.favours == "tensorflow" for claim in article)
    assert any(claim.newer for claim in article)


def test_comparing_three_frameworks_covers_every_pair(store):
    each_pair = sum(len(store.comparisons([a, b], "en")) for a, b in [FRAMEWORKS[:2], FRAMEWORKS[1:], FRAMEWORKS[::2]])
    assert each_pair >= 3
    assert len(store.comparisons(list(FRAMEWORKS), "en")) == each_pair


GOALS = ["research", "industry_job", "prototyping", "production", "learning", "computer_vision", "mobile", "browser"]
GOALS += ["llm_fine_tuning", "jax_tpu", "apple_silicon", "legacy_code"]


@pytest.mark.parametrize("experience", ["beginner", "intermediate", "experienced"])
@pytest.mark.parametrize("goal", GOALS)
def test_every_profile_gets_a_recommendation_with_reasons(store, experience, goal):
    found = store.recommend(experience, goal, "es")
    assert found is not None and found.framework in FRAMEWORKS
    assert found.text and found.reasons


def test_article_recommendations(store):
    assert store.recommend("beginner", "research", "en").framework == "pytorch"
    assert store.recommend("experienced", "industry_job", "en").framework == "tensorflow"


def test_an_intermediate_user_borrows_the_experienced_rule_where_there_is_no_own_one(store):
    experienced = store.recommend("experienced", "production", "en")
    assert store.recommend("intermediate", "production", "en").id == experienced.id
    assert store.recommend("intermediate", "learning", "en").id == "rec-intermediate-learning-pytorch"
    assert store.recommend("experienced", "learning", "en").id != "rec-intermediate-learning-pytorch"


def test_every_goal_and_level_of_the_vocabulary_has_a_label_in_both_languages():
    vocabulary = yaml.safe_load((ROOT / "knowledge" / "sources" / "vocabulary.yml").read_text(encoding="utf-8"))
    for lang in ("en", "es"):
        values = table(lang)["values"]
        assert set(vocabulary["goal"]) == set(values["goal"]) == set(GOALS), lang
        assert set(vocabulary["experience"]) == set(values["experience"]), lang


def test_vocabulary_reaches_the_store(store):
    terms = store.terms()
    assert {"framework", "aspect", "task", "concept", "experience", "goal", "scope"} <= {t.entity for t in terms}
    assert store.goal_implied_by("deployment") == "production"


def test_store_is_read_only(kb_path):
    store = KnowledgeStore(f"sqlite:///{kb_path}")
    with pytest.raises(OperationalError, match="readonly"):
        with store._engine.begin() as connection:
            connection.execute(text("DELETE FROM facts"))


def test_missing_database_says_how_to_rebuild(tmp_path):
    with pytest.raises(KnowledgeBaseUnavailable, match="make kb"):
        KnowledgeStore(f"sqlite:///{tmp_path / 'absent.sqlite'}")


def test_corrupt_database_says_how_to_rebuild(tmp_path):
    broken = tmp_path / "kb.sqlite"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(KnowledgeBaseUnavailable, match="make kb"):
        KnowledgeStore(f"sqlite:///{broken}")


def test_a_database_an_older_build_made_says_how_to_rebuild(kb_path, tmp_path):
    older = tmp_path / "kb.sqlite"
    shutil.copy(kb_path, older)
    engine = create_engine(f"sqlite:///{older}")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE makers"))
    engine.dispose()
    with pytest.raises(KnowledgeBaseUnavailable, match="older build.*make kb"):
        KnowledgeStore(f"sqlite:///{older}")


def test_builder_rejects_a_dangling_reference(tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    shutil.copytree(builder.SOURCES_DIR, sources)
    facts = yaml.safe_load((sources / "facts.yml").read_text(encoding="utf-8"))
    facts[0]["updates"] = "no-such-fact"
    (sources / "facts.yml").write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(builder, "SOURCES_DIR", sources)
    with pytest.raises(builder.SourceError, match="no-such-fact"):
        builder.build(tmp_path / "kb.sqlite")


def test_a_subject_with_a_snippet_folder_has_code_and_reasons(store):
    assert store.code_subjects() == [*FRAMEWORKS, "jax"]
    assert store.snippet("jax", "train", "en") is not None and store.not_applicable("jax", "export_onnx", "es")


def test_builder_rejects_a_snippet_folder_named_after_no_subject(tmp_path, monkeypatch):
    (tmp_path / "snippets" / "jaxx").mkdir(parents=True)
    monkeypatch.setattr(builder, "SNIPPETS_DIR", tmp_path / "snippets")
    with pytest.raises(builder.SourceError, match="knowledge/snippets/jaxx"):
        builder.build(tmp_path / "kb.sqlite")


def test_builder_rejects_a_reason_for_a_subject_without_code(tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    shutil.copytree(builder.SOURCES_DIR, sources)
    tasks = yaml.safe_load((sources / "tasks.yml").read_text(encoding="utf-8"))
    tasks[0]["not_applicable"] = {"onnx": {"en": "No.", "es": "No."}}
    (sources / "tasks.yml").write_text(yaml.safe_dump(tasks, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(builder, "SOURCES_DIR", sources)
    with pytest.raises(builder.SourceError, match="'onnx', which has no code"):
        builder.build(tmp_path / "kb.sqlite")


def test_build_replaces_the_file_atomically(tmp_path):
    out = tmp_path / "kb.sqlite"
    counts = builder.build(out, Path("absent-runs.json"))
    assert counts["facts"] > 50 and not out.with_suffix(".partial").exists()
    with create_engine(f"sqlite:///{out}").connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM snippets WHERE passed IS NULL")).scalar()
            == counts["snippets"]
        )


@pytest.mark.parametrize("content", [None, b"this is not a database" * 100])
def test_action_server_refuses_to_start_without_a_usable_knowledge_base(tmp_path, content):
    import os
    import subprocess
    import sys

    path = tmp_path / "kb.sqlite"
    if content is not None:
        path.write_bytes(content)
    env = {**os.environ, "KNOWLEDGE_DB_URL": f"sqlite:///{path}"}
    result = subprocess.run(
        [sys.executable, "-m", "actions", "--port", "5999"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "make kb" in result.stderr


def test_a_typo_of_a_known_word_is_searched_as_that_word(store):
    assert "tensorboard" in store.query_terms(
        "how do i open tensorbaord", "en", tokens=[("open", "open"), ("tensorbaord", "tensorbaord")]
    )
    assert subject_term("tensorflow") in store.query_terms("x", "es", tokens=[("tensorflw", "tensorflw")])
    # A word of the language is no typo, though one letter from a word the index knows ("professor", "processor").
    assert store.query_terms("x", "en", tokens=[("professor", "professor")]) == ["professor"]
    # A word that is nobody's typo stays as typed (it may be what the question is about), short words too.
    assert store.query_terms("x", "en", tokens=[("zucchini", "zucchini"), ("gtx", "gtx")]) == ["zucchini", "gtx"]


@pytest.mark.parametrize(
    ("word", "plain"), [("ejemplito", "ejemplo"), ("codiguito", "código"), ("modelitos", "modelos")]
)
def test_a_spanish_diminutive_is_searched_as_the_word_it_makes_small(store, word, plain):
    assert store.query_terms("x", "es", tokens=[(word, word)]) == store.query_terms("x", "es", tokens=[(plain, plain)])
    assert store.query_terms("x", "es", tokens=[("poquito", "poquito")]) == []  # a stop word made small is one too


@pytest.mark.parametrize(("word", "verb"), [("costaria", "costar"), ("elegirias", "elegir")])
def test_a_spanish_verb_typed_without_its_stress_mark_is_searched_as_its_verb(store, word, verb):
    """The stemmer needs the mark to find the ending ("costaria" -> "costari", "costaría" -> "cost"): a word the index
    does not know is read as its marked form when that one's stem is known."""
    assert store.query_terms("x", "es", tokens=[(word, word)]) == store.query_terms("x", "es", tokens=[(verb, verb)])
    assert store.query_terms("x", "es", tokens=[("necesaria", "necesaria")]) == ["necesari"]  # a known word stays


@pytest.mark.parametrize(
    "question",
    [
        "¿qué es una red siamesa? explícamelo fácil",
        "¿me enseñas cómo se congela una capa en keras?",
        "recomiéndame un libro de álgebra lineal para el verano",
    ],
)
def test_a_spanish_request_with_its_pronoun_attached_or_asked_is_no_search_word(store, question):
    """knowledge/sources/stop_words.yml, fillers: "explícamelo", "me enseñas", "recomiéndame" only ask; as rare
    words of a few informal phrasings they weighed more than what the question is about (and found the entry whose
    phrasing said them)."""
    assert not {"explicamel", "ensen", "recomiendam"} & set(store.query_terms(question, "es"))


@pytest.mark.parametrize(
    ("question", "lang", "said"),
    [("cachai si jax corre en windows?", "es", "cachai"), ("bro does keras 3 need tensorflow installed", "en", "bro")],
)
def test_a_chat_interjection_is_no_search_word(store, question, lang, said):
    """knowledge/sources/stop_words.yml, fillers: "cachai", "bro" only address the reader; as rare or unknown words
    they weighed most ("cachai si keras 3 se puede correr encima de pytorch?" was refused)."""
    assert said not in store.query_terms(question, lang)


@pytest.mark.parametrize(
    "content",
    ["keep: [who, when]\nfillers: {en: [bro], es: [chamo]}\n", "keep: {en: [who], es: [quien]}\nfillers: {en: bro}\n"],
)
def test_a_malformed_stop_word_file_is_named_with_the_fix(tmp_path, monkeypatch, content):
    """knowledge/sources/stop_words.yml is edited by hand: a list where a mapping of languages belongs fails the
    build with a sentence that says what the file needs, not with a KeyError."""
    malformed = tmp_path / "stop_words.yml"
    malformed.write_text(content, encoding="utf-8")
    monkeypatch.setattr(text_module, "STOP_WORDS_FILE", malformed)
    text_module.stop_words.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"stop_words\.yml: '(keep|fillers)' needs a list of words"):
            text_module.stop_words("en")
    finally:
        monkeypatch.undo()
        text_module.stop_words.cache_clear()


@pytest.mark.parametrize(
    ("question", "lang", "typo"),
    [("does keras actualy run on jax now?", "en", "actuali"), ("basicamnte que es un tensor", "es", "basicamnt")],
)
def test_a_stop_word_typed_with_one_letter_wrong_is_no_search_word(store, question, lang, typo):
    """store._stop_typo: "actualy" asks nothing; as a rare word of one informal phrasing it weighed most. A shorter
    word stays ("matter" is one edit from the stop word "latter")."""
    assert typo not in store.query_terms(question, lang)
    assert "matt" in store.query_terms("does it matter which framework i learn first", "en")


def test_a_name_with_two_letters_swapped_is_read_as_the_name_and_a_short_one_only_when_swapped():
    names = {"pytorch": "pytorch", "keras": "keras", "jax": "jax", "dropout": "dropout"}
    assert index_word("pytroch", "en", names) == "pytorch"  # swapped
    assert index_word("kears", "es", names) == "keras"  # swapped, five letters
    assert index_word("dropuot", "en", names) == "dropout"
    assert index_word("keros", "en", names) != "keras"  # one wrong letter in a short name: too likely by chance
    assert index_word("max", "en", names) == "max"


def test_another_form_of_a_long_name_is_the_name_and_a_short_stem_is_not():
    from knowledge.text import name_stems

    names = {"sobreajuste": "overfitting", "regularization": "regularization", "activation": "activation_function"}
    stems = name_stems(names, "es") | name_stems(names, "en")
    assert index_word("sobreajustar", "es", names, stems) == "sobreajuste"
    assert index_word("regular", "en", names, stems) != "regularization"  # the stem "regular" is too short to tell
    assert index_word("active", "en", names, stems) != "activation"


def test_a_spanish_verb_finds_the_entry_that_names_its_noun(store):
    hits = store.search("como funciona el dropout para no sobreajustar", "es")
    assert hits[0].entry == "overfitting-dropout" and hits[0].missing == 0


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("where did tensorboard go after i upgraded tensorflow?", "en"),
        ("me actualicé tensorflow y tensorboard ya no aparece", "es"),
    ],
)
def test_an_entry_about_a_subject_named_by_a_name_that_is_no_alias_is_about_what_was_asked(store, question, lang):
    """The NLU finds TensorFlow, "tensorboard" is no search alias (store.search: `spoken`): the entry about TensorBoard
    that speaks of TensorFlow keeps its confidence, and answers."""
    hits = store.search(question, lang, subjects=["tensorflow"])
    assert hits[0].entry == "tensorboard-separate-install" and hits[0].confidence >= ANSWER


@pytest.mark.parametrize(
    ("question", "lang"),
    [("can tensorflow use rocm on an amd card?", "en"), ("¿tensorflow funciona con rocm en una gráfica amd?", "es")],
)
def test_an_entry_about_a_subject_named_that_never_speaks_of_the_framework_named_is_not_about_it(store, question, lang):
    """What ROCm is (it names PyTorch only) does not answer whether TensorFlow runs on ROCm; when the NLU found ROCm
    too, an entry about ROCm that never speaks of TensorFlow keeps at most OTHER_SUBJECT of its confidence."""
    hits = store.search(question, lang, subjects=["tensorflow"])
    assert all(hit.confidence < ANSWER for hit in hits if "tensorflow" not in hit.subjects)
    hits = store.search(question, lang, subjects=["tensorflow", "rocm"])
    assert all(hit.confidence <= OTHER_SUBJECT for hit in hits if hit.subjects == ("rocm",))


def test_an_entry_that_speaks_of_no_framework_answers_a_question_naming_one(store):
    """What a loss function is and which to pick names no framework at all: it answers for Keras as for any other, at
    NEUTRAL of its confidence rather than OTHER_SUBJECT. An overview never does ("can i use pytorch on a colab tpu" is
    not asking what TPUs are)."""
    question = "funcion de perdida para regresion en keras?"
    assert _answered_with_subjects(store, question, "es", ["loss_function", "keras"]) == "loss-function-definition"
    hits = store.search("pytorch en una tpu de colab, se puede?", "es", subjects=["pytorch", "tpu"])
    assert all(hit.confidence <= OTHER_SUBJECT for hit in hits if hit.kind == "overview")


@pytest.mark.parametrize(
    ("question", "lang", "subjects"),
    [
        ("does keras ship dropout as a layer", "en", ["keras"]),
        ("la capa de dropout de pytorch como se llama", "es", ["pytorch"]),
    ],
)
def test_an_entry_about_no_framework_that_speaks_of_the_one_named_with_the_weightiest_word_answers(
    store, question, lang, subjects
):
    """Dropout is about overfitting, which the question never names; its statement names the layer in Keras and in
    PyTorch, so it keeps NEUTRAL of its confidence and answers. Not an entry about JAX, which has code of its own:
    what JAX is (it is like NumPy) does not answer whether Keras 3 runs on NumPy."""
    assert _answered_with_subjects(store, question, lang, subjects) == "overfitting-dropout"
    assert _answered_with_subjects(store, "could keras 3 run on a numpy backend", "en", ["keras"]) is None


def test_entries_that_state_one_claim_share_their_chain_and_their_updates_join_it(store):
    fact, comparison = store.entry("keras-speed"), store.entry("cmp-keras-pytorch-speed")
    assert fact.chain == comparison.chain
    assert store.entry("keras-3-speed-depends-on-backend").chain == fact.chain  # the update of one of them
    assert store.entry("pytorch-speed").chain != fact.chain


def _refused(tmp_path, monkeypatch, name: str, content: str, match: str) -> None:
    """`make kb` from the sources with one file replaced fails with a SourceError matching `match`."""
    sources = tmp_path / "sources"
    shutil.copytree(builder.SOURCES_DIR, sources)
    (sources / name).write_text(content, encoding="utf-8")
    monkeypatch.setattr(builder, "SOURCES_DIR", sources)
    with pytest.raises(builder.SourceError, match=match):
        builder.build(tmp_path / "kb.sqlite")


def test_builder_rejects_a_same_claim_group_naming_an_unknown_entry(tmp_path, monkeypatch):
    _refused(
        tmp_path, monkeypatch, "same_claims.yml", '- ids: [keras-speed, no-such-entry]\n  why: "x"\n', "no-such-entry"
    )


def test_a_word_people_type_for_one_the_knowledge_base_uses_finds_what_that_word_finds(store):
    """synonyms.yml: "diff" is searched as "difference", "celulares" as "móviles"; without it neither is a word the
    index knows, and the question weighs on it and finds nothing."""
    assert store.query_terms("keras vs tensorflow whats the diff", "en") == store.query_terms(
        "keras vs tensorflow whats the difference", "en"
    )
    hits = store.search("pytorch tiene algo como tflite para celulares?", "es")
    assert hits[0].entry in {"pytorch-executorch", "task:export_litert"} and hits[0].has_key
    assert "pytorch-executorch" in [hit.entry for hit in hits[:2]]


@pytest.mark.parametrize(
    ("synonyms", "refused"),
    [
        ("en:\n  difference: [diff, disparity]\n  gap: [diff]\n", "two things"),  # one word, two meanings
        ("en:\n  difference: [big diff]\n", "not one word"),
        ("en:\n  fine-tune: [finetune]\n", "names a subject"),  # a subject's alias already finds it
        ("en:\n  zyzzyva: [zz]\n", "never uses"),  # could never help a search
        ("en:\n  difference:\n", "needs a list"),  # a word with nothing people type for it
    ],
)
def test_builder_rejects_a_synonym_that_is_not_one_word_for_one_thing_the_index_uses(
    tmp_path, monkeypatch, synonyms, refused
):
    _refused(tmp_path, monkeypatch, "synonyms.yml", synonyms, refused)


def test_a_question_asking_for_a_number_is_answered_only_by_an_entry_that_gives_one(store):
    """asking_phrases.yml: what Hugging Face is does not say how many models its Hub holds, so it is not the answer
    (only offered); Keras 3's backends are counted in a statement naming "Keras 3". "How much faster" and "en cuanto
    a" ask no number."""
    from actions.answers import Composer

    for question, lang in [
        ("how many models are there on the hugging face hub", "en"),
        ("cuántos modelos hay en el hub de hugging face", "es"),
    ]:
        hits = store.search(question, lang)
        assert hits[0].entry == "hugging-face-definition" and hits[0].lacks_asked
        assert Composer(store, lang).answer(hits).entries == []
    hits = store.search("cuantos backends tiene keras 3", "es")
    assert hits[0].entry == "keras-3-multi-backend" and not hits[0].lacks_asked
    assert not store.asks_for("number", "how much faster is jax than pytorch", "en")
    assert not store.asks_for("number", "en cuanto a despliegue, cuál es mejor", "es")


def _answered_with(store, question: str, lang: str) -> str | None:
    """The entry the bot gives as the answer to a question, or None when it offers or refuses instead."""
    return _answered_with_subjects(store, question, lang, [])


def _answered_with_subjects(store, question: str, lang: str, subjects: list[str]) -> str | None:
    """... when the NLU found these subjects in it."""
    from actions.answers import Composer

    return next(iter(Composer(store, lang).answer(store.search(question, lang, subjects=subjects)).entries), None)


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("tengo tensorflow 2.15 y tf.keras, que herramienta convierte mi modelo a onnx?", "es"),
        ("on tensorflow 2.15 with tf.keras, which tool converts my model to onnx?", "en"),
    ],
)
def test_a_version_the_statement_holds_is_no_mention_in_passing(store, question, lang):
    """The version is the question's weightiest word and only tf2onnx's statement holds it (tested up to 2.15): what
    the entry says, not a mention in passing that refuses it. A question asking for a date or number of its own is
    still refused ("when did tensorflow 2.10 come out" is not answered by what ended after 2.10)."""
    assert _answered_with(store, question, lang) == "onnx-tf2onnx"
    asks_a_date = {"en": "when was tensorflow 2.10 released", "es": "cuándo salió tensorflow 2.10"}[lang]
    assert _answered_with(store, asks_a_date, lang) is None


@pytest.mark.parametrize(
    ("question", "lang", "answer"),
    [
        ("gradient descent with nesterov", "en", None),
        ("descenso de gradiente con nesterov", "es", None),
        ("que learning rate con sgd en cifar", "es", None),
        ("what is tensorflow lite", "en", "tensorflow-litert"),
        ("sgd learning rate for resnet", "en", "gradient-descent-definition"),
    ],
)
def test_a_short_question_about_a_word_the_knowledge_base_never_uses_is_not_answered_with_its_other_words(
    store, question, lang, answer
):
    """store.SHORT_QUESTION_TERMS: "nesterov" is what is asked; what gradient descent is does not answer it. A word
    the knowledge base uses ("resnet") leaves the answer as it was."""
    assert _answered_with(store, question, lang) == answer


@pytest.mark.parametrize(
    ("question", "lang", "kind", "answer"),
    [
        # what JAX or vLLM is says no version, so it is no answer to "which is the latest"
        ("whats the newest version of jax right now", "en", "number", None),
        ("cual es la version mas reciente de vllm", "es", "number", None),
        ("what is the latest version of keras", "en", "number", "keras-latest-version"),
        ("cuál es la última versión de pytorch", "es", "number", "pytorch-latest-version"),
        # "in which version" is answered by the entry giving it ("PyTorch 2.0"): "version" counts as given by the
        # number; a snippet states no default value
        ("in which version did pytorch add torch.compile", "en", "number", "pytorch-compile"),
        ("en qué versión de pytorch salió torch.compile", "es", "number", "pytorch-compile"),  # "salió" asks when
        ("whats the default patience of the keras earlystopping callback", "en", "number", None),
        ("valor por defecto de la paciencia del earlystopping de keras", "es", "number", None),
        # "how long" asks for a duration: when Keras joined TensorFlow, or where TorchServe went, gives none
        ("how long does it take to get good at keras", "en", "number", None),
        ("how long does it take to become productive with pytorch", "en", "number", None),
        # what CUDA is says nothing of when it came out
        ("what year did nvidia put out the first cuda release", "en", "date", None),
        ("en que año salio la primera version de cuda", "es", "date", None),
        ("which year was pytorch first released", "en", "date", "pytorch-origin"),
        # what Hugging Face is names no founder; what CUDA is names NVIDIA, which the question already names
        ("who were the founders of hugging face", "en", "who", None),
        ("quién fundó la empresa hugging face", "es", "who", None),
        ("who is the ceo of nvidia right now", "en", "who", None),
        # where Keras comes from says who made it; what JAX is names Google, and CUDA's overview NVIDIA
        ("quién creó keras", "es", "who", "keras-origin"),
        ("who makes jax", "en", "who", "jax-definition"),
        ("which company makes cuda", "en", "who", "about:cuda"),
    ],
)
def test_a_question_asking_for_a_number_date_or_maker_is_answered_only_by_an_entry_that_gives_one(
    store, question, lang, kind, answer
):
    """asking_phrases.yml `number` (a version, a default value), `date` and `who` (with makers.yml)."""
    assert store.asks_for(kind, question, lang)
    assert _answered_with(store, question, lang) == answer


@pytest.mark.parametrize(
    ("question", "lang", "answer"),
    [
        ("tensorrt-llm vs vllm throughput on an h100", "en", None),
        ("lmdeploy vs vllm para servir un llm en mi servidor", "es", None),
        ("tf lite vs pytorch on phones", "en", "cmp-pytorch-tensorflow-mobile"),
    ],
)
def test_a_versus_question_is_answered_only_by_an_entry_holding_both_sides(store, question, lang, answer):
    """asking_phrases.yml, choice: what vLLM is holds one side of "tensorrt-llm vs vllm"; the mobile comparison holds
    both."""
    assert _answered_with(store, question, lang) == answer


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("horovod 0.28 vs pytorch ddp for multi-node training on a gpu cluster, which one?", "en"),
        ("colossal-ai 0.4 vs pytorch fsdp para entrenamiento distribuido en varios nodos, cuál elijo?", "es"),
    ],
)
def test_a_versus_side_is_named_by_either_of_the_two_words_nearest_to_vs(store, question, lang):
    """store.COMPARED_REACH: the version next to "vs" names nothing, the name before it does; no entry holds it."""
    assert all(hit.missing == 1.0 for hit in store.search(question, lang, subjects=["pytorch"]))


def test_a_comparison_with_a_framework_not_asked_about_comes_after_the_entries_on_the_one_asked_about(store):
    """store.UNASKED_COMPARISON: PyTorch on a Mac's GPU is what is asked, not how it compares with TensorFlow's."""
    hits = store.search("pytorch puede entrenar con la gpu de mi macbook m3?", "es")
    assert hits[0].kind != "comparison" and "pytorch-mps-support" in [hit.entry for hit in hits[:2]]


@pytest.mark.parametrize(
    ("question", "lang"), [("float64 en mps con pytorch funciona?", "es"), ("can pytorch on mps use float64", "en")]
)
def test_a_name_of_letters_and_digits_the_knowledge_base_never_uses_is_specific(store, question, lang):
    """store._unknown_name: "float64" names a type no entry speaks of (they speak of float16 and bfloat16), like a
    word of letters only would; what MPS is does not answer it."""
    assert _answered_with(store, question, lang) is None


@pytest.mark.parametrize(
    ("question", "lang"), [("whats new in pytorch 2.15?", "en"), ("novedades de tensorflow 2.21", "es")]
)
def test_what_is_new_in_a_release_is_not_answered_by_which_release_is_the_latest(store, question, lang):
    """asking_phrases.yml `news`, store.RELEASE_ASPECTS: the latest version and its date say nothing of what it
    holds."""
    assert _answered_with(store, question, lang) is None
    assert _answered_with(store, "which is the latest pytorch version?", "en") == "pytorch-latest-version"


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("does rocm work on windows?", "en"),
        ("can i use rocm on windows with my radeon card?", "en"),
        ("¿el rocm de pytorch va en windows?", "es"),
    ],
)
def test_whether_it_works_on_an_operating_system_needs_an_entry_saying_that_system(store, question, lang):
    """asking_phrases.yml, platform: every entry about platforms holds "windows" among its keywords, and what ROCm
    does for PyTorch covers the rest of the question so well that the system's small weight did not stop it; asked
    whether it works on Windows, an entry that never says Windows is about something else. PyTorch's platforms,
    which say it, answer."""
    assert all(hit.missing == 1.0 for hit in store.search(question, lang) if "rocm" in hit.entry)
    assert _answered_with(store, question, lang) is None
    own = {"en": "can i use pytorch on windows?", "es": "¿pytorch va en windows?"}[lang]
    assert _answered_with(store, own, lang) == "pytorch-platforms"


def test_a_choice_between_two_names_needs_an_entry_holding_both(store):
    """asking_phrases.yml, choice: "A o B" between two names, like "A vs B": no entry holds "lightning", so none
    answers which of PyTorch Lightning and Keras to pick; entries with both sides answer "pytorch o tensorflow"."""
    lightning = store.search("pytorch lightning o keras, cuál le recomiendas a alguien que empieza?", "es")
    assert lightning and all(hit.missing == 1.0 for hit in lightning)
    assert store.search("pytorch o tensorflow para empezar?", "es")[0].missing == 0.0


def test_a_choice_among_other_tools_than_the_frameworks_is_told_apart(store):
    """store.chooses_among_others: "A o B" where neither side is a framework the knowledge base knows; the "o" of "o
    sea" ("that is") sets nothing apart (asking_phrases.yml, choice, not)."""
    assert store.chooses_among_others("mmdetection o detectron2, cuál usamos para detectar piezas?", "es")
    assert store.chooses_among_others("bentoml vs kserve for serving, which one should we pick?", "en")
    assert not store.chooses_among_others("keras o pytorch para detectar piezas?", "es")
    assert not store.chooses_among_others(
        "fotos de tornillos, o sea visión artificial, qué framework nos conviene?", "es"
    )


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("which onnx opset does keras export with by default when saving a model?", "en"),
        ("qué onnx opset usa por defecto keras al exportar un modelo entrenado?", "es"),
    ],
)
def test_a_word_the_knowledge_base_never_uses_right_after_a_name_is_what_is_asked(store, question, lang):
    """store.QUALIFIER: "opset" after "onnx" is what the question is about, though the question is long; what ONNX
    export does, without it, is offered, not given."""
    assert _answered_with(store, question, lang) is None


@pytest.mark.parametrize(
    ("question", "lang", "overview"),
    [
        ("some background on rocm", "en", "about:rocm"),
        ("onnx a grandes rasgos", "es", "about:onnx"),
        ("necesito una vista general de JAX", "es", "about:jax"),
    ],
)
def test_an_overview_asked_for_ranks_above_the_single_facts(store, question, lang, overview):
    """asking_phrases.yml: "background", "a grandes rasgos", "vista general" ask for the subject's short overview."""
    assert store.asks_for("overview", question, lang)
    assert store.search(question, lang)[0].entry == overview


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("me pasas un ejemplo de entrenar una red en pytorch? lo necesito para la práctica de mañana", "es"),
        ("can you show me a training loop in pytorch? my assignment is due tomorrow morning", "en"),
    ],
)
def test_a_sentence_told_after_the_question_is_the_situation_not_the_question(store, question, lang):
    """The clause that ends with a question mark asks; what follows only tells (store._context_words)."""
    tokens = [(surface, lemma) for surface, _, lemma in analyse(question, lang)]
    assert store.search(question, lang, tokens=tokens)[0].entry == "task:train"


@pytest.mark.parametrize(
    ("question", "lang"),
    [("qué es tinygrad, sirve para entrenar en un mac?", "es"), ("what is tinygrad, can it train on a mac?", "en")],
)
def test_a_clause_asking_what_something_is_is_no_situation_though_no_question_mark_ends_it(store, question, lang):
    """store.CLAUSE_ASKING: "qué es tinygrad" asks, so the name the knowledge base lacks keeps its weight and the
    entries on training on a Mac do not answer; a name it has is still answered."""
    from actions.answers import Composer

    def answered(text_: str) -> list[str]:
        tokens = [(surface, lemma) for surface, _, lemma in analyse(text_, lang)]
        return Composer(store, lang).answer(store.search(text_, lang, tokens=tokens)).entries

    assert answered(question) == []
    assert "mps" in answered(question.replace("tinygrad", "mps"))[0]


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("mi portátil tiene gráfica nvidia, ¿cómo compruebo que pytorch la encuentra?", "es"),
        ("how can i check that my pytorch install uses the gpu", "en"),
        ("how do i check whether pytorch uses my graphics card", "en"),
    ],
)
def test_a_question_asking_how_to_tell_whether_ranks_the_entry_asked_that_way_first(store, question, lang):
    """asking_phrases.yml `check` ("compruebo que", "check that"); store.RANKED_WAYS: the fact that says how to tell
    ranks above the GPU snippet (which came first for the last question before `check` ranked)."""
    assert store.asks_for("check", question, lang)
    tokens = [(surface, lemma) for surface, _, lemma in analyse(question, lang)]
    assert store.search(question, lang, tokens=tokens)[0].entry == "pytorch-check-gpu"


def test_builder_rejects_asking_phrases_without_the_phrases_that_ask(tmp_path, monkeypatch):
    _refused(tmp_path, monkeypatch, "asking_phrases.yml", "number:\n  en:\n    not: [how much faster]\n", "`asks`")


def test_builder_rejects_makers_that_are_not_a_list_of_names(tmp_path, monkeypatch):
    _refused(tmp_path, monkeypatch, "makers.yml", "nvidia: [jensen huang]\n", "list of names")


def test_the_action_server_refuses_to_start_without_a_knowledge_base_and_says_how_to_build_it(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "KNOWLEDGE_DB_URL": f"sqlite:///{tmp_path / 'missing.sqlite'}"}
    started = subprocess.run(
        [sys.executable, "-m", "actions", "--port", "1"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 1
    assert started.stderr.strip().endswith("run `make kb` to build it.")
    assert started.stderr.startswith("Action server not started: ")


def test_informal_phrasings_find_their_entry_and_are_never_offered_as_buttons(store):
    from knowledge.index import QUESTIONS_DIR_NAME, searched_only

    informal = searched_only(builder.SOURCES_DIR / QUESTIONS_DIR_NAME)
    assert informal  # the *_informal_* files hold some
    entry, lang, question = sorted(informal)[0]
    assert question not in store.questions(entry, lang)
    assert store.questions(entry, lang)  # its other questions are still offered
    assert entry in [hit.entry for hit in store.search(question, lang)]


def test_where_a_subject_is_named_skips_a_name_inside_a_longer_one_not_its_later_mentions(store):
    """KnowledgeStore.named_at: "tensorflow" inside "tensorflow.js" is not TensorFlow; the later "tensorflow" is."""
    assert store.named_at("resumime tensorflow.js porfa, y como se compara con tensorflow", "es") == {
        "tensorflow_js": 9,
        "tensorflow": 52,
    }
    assert store.named_at("intro a las redes neuronales convolucionales", "es") == {"cnn": 12}


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("installing jax with cuda support on my linux box, how?", "en"),
        ("jax nació en google brain o en deepmind?", "es"),
    ],
)
def test_an_entry_about_a_framework_the_question_never_names_does_not_answer_for_another_subject(store, question, lang):
    """store.search (OTHER_SUBJECT, `elsewhere`): the question names JAX, which PyTorch's CUDA wheels and TensorFlow's
    origin at Google Brain never speak of; they are offered at most, never given as the answer."""
    answered = _answered_with(store, question, lang)
    subjects = set(store.entry(answered).subjects) if answered else set()
    assert "jax" in subjects or not subjects & set(store.frameworks()), answered


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("tensorflow 2.22 coming out soon?", "en"),
        ("la 2.22 de tensorflow, ¿para cuándo?", "es"),
        ("pytorch 3 coming out when?", "en"),
        ("pytorch 3 pa cuándo", "es"),
    ],
)
def test_when_a_release_no_entry_gives_comes_out_is_not_answered_by_another_release(store, question, lang):
    """store.search (`releases_asked`): when the latest release came out, or how often releases come, does not say when
    a release the knowledge base never gives (TensorFlow 2.22, PyTorch 3) will."""
    assert _answered_with(store, question, lang) is None


@pytest.mark.parametrize(
    ("question", "lang"), [("when did tensorflow 2.21 come out", "en"), ("¿cuándo salió tensorflow 2.21?", "es")]
)
def test_when_a_release_an_entry_gives_came_out_is_answered(store, question, lang):
    assert _answered_with(store, question, lang) == "tensorflow-latest-version"


def test_a_model_server_named_is_what_is_asked_not_a_word_for_deployment(store):
    """vocabulary.yml: "torchserve" is no word of the deployment aspect, so it is not a keyword of every entry on
    deployment: whether TorchServe is still a good way to serve models is answered by what became of it."""
    assert (
        _answered_with(store, "is torchserve still a good way to serve models", "en") == "pytorch-torchserve-archived"
    )


@pytest.mark.parametrize(
    ("release", "entry", "given"),
    [
        ("2p21", "tensorflow-latest-version", True),  # "2.21" of "2.21.0"
        ("2", "tensorflow-latest-version", True),
        ("2p0", "tensorflow-latest-version", False),  # 2.0 is not 2.21
        ("2p22", "tensorflow-latest-version", False),
        ("3", "keras-release-cadence", True),
        ("3p12", "keras-release-cadence", True),
        ("3p16", "keras-release-cadence", False),
    ],
)
def test_a_release_is_given_by_its_own_number_or_one_of_its_releases_never_by_a_sibling(store, release, entry, given):
    """store._gives_release, which `releases_asked` reads: when 2.21 came out does not say when 2.0 did."""
    assert store._gives_release(release, set(), entry, "en") is given


@pytest.mark.parametrize(
    ("release", "owners", "entry", "given"),
    [
        ("3", {"keras"}, "keras-release-cadence", True),
        ("3", {"tensorflow"}, "keras-release-cadence", False),  # "Keras 3.12" is no TensorFlow 3
        ("1p0", {"pytorch"}, "pytorch-executorch-ga", False),
        ("1p0", {"executorch"}, "pytorch-executorch-ga", True),
    ],
)
def test_a_release_is_given_only_as_the_release_of_the_name_asked(store, release, owners, entry, given):
    """store._gives_release with the names the question puts right before the number (`_belongs`)."""
    assert store._gives_release(release, owners, entry, "en") is given


@pytest.mark.parametrize(
    ("question", "lang", "entry"),
    [
        ("which pytorch release is the newest right now", "en", "pytorch-latest-version"),
        ("¿cuál es la release más reciente de pytorch?", "es", "pytorch-latest-version"),
        ("how frequently do new keras versions ship", "en", "keras-release-cadence"),
        ("¿con qué frecuencia publican versiones de pytorch?", "es", "pytorch-release-cadence"),
        ("most recent pytorch version?", "en", "pytorch-latest-version"),
        ("newest pytorch release", "en", "pytorch-latest-version"),
        ("la versión más reciente de pytorch", "es", "pytorch-latest-version"),
        ("pytorch version mas nueva", "es", "pytorch-latest-version"),
        ("keras version mas nueva", "es", "keras-latest-version"),
    ],
)
def test_the_latest_release_and_how_often_releases_come_are_told_apart(store, question, lang, entry):
    """asking_phrases.yml `latest` and `cadence`: which release is the newest is not answered by how often releases
    come, though that entry names several, nor the other way round."""
    assert _answered_with(store, question, lang) == entry


@pytest.mark.parametrize(
    ("question", "lang"),
    [("how often is tensorflow released", "en"), ("¿cada cuánto sacan una tensorflow nueva?", "es")],
)
def test_how_often_a_framework_with_no_entry_on_it_releases_is_not_answered(store, question, lang):
    """No entry tells how often TensorFlow releases: which version is its latest does not say, nor does an entry that
    names a version in passing."""
    assert _answered_with(store, question, lang) is None


@pytest.mark.parametrize(
    ("question", "lang", "entry"),
    [
        ("cómo pongo pytorch de backend en keras", "es", "keras-jax-backend-switch"),
        ("keras con jax de backend, como lo pongo?", "es", "keras-jax-backend-switch"),
        ("how do i put jax as the keras backend", "en", "keras-jax-backend-switch"),
    ],
)
def test_a_question_asking_how_ranks_an_entry_asked_how_first(store, question, lang, entry):
    """store.search (`_asked_share`, asking_phrases.yml `howto`): how to set Keras's backend is answered by how to
    switch it, which its questions ask, not by which backends there are."""
    assert _answered_with(store, question, lang) == entry


def test_a_word_typed_in_english_within_spanish_is_searched_as_the_spanish_word(store):
    """synonyms.yml: "sessions" in a Spanish question stands for "sesiones", which the entry's questions use."""
    assert _answered_with(store, "en tf 2 todavía hay que abrir sessions para ejecutar?", "es") == "tensorflow-2-eager"


@pytest.mark.parametrize(
    ("question", "lang"),
    [("does tensorflow still build graphs like tf1 did", "en"), ("tensorflow sigue con grafos como en tf1?", "es")],
)
def test_tf1_is_searched_as_tensorflow_1(store, question, lang):
    """synonyms.yml: "tf1" stands for "TensorFlow 1", which the statement that TensorFlow 2 runs eagerly names; as a
    word no entry holds it was what the question lacked."""
    assert _answered_with(store, question, lang) == "tensorflow-2-eager"


@pytest.mark.parametrize(
    ("question", "lang", "entry"),
    [
        ("¿lora está atado a un framework concreto?", "es", "lora-frameworks"),
        ("is lora tied to one framework?", "en", "lora-frameworks"),
        ("what is tensorrt?", "en", None),
        ("when did tensorflow 2.10 come out", "en", None),
    ],
)
def test_the_weightiest_word_is_in_passing_only_in_an_entry_about_something_the_question_does_not_name(
    store, question, lang, entry
):
    """ "atado" is only in what LoRA's frameworks entry states, not in its questions; the entry is about LoRA, which the
    question names, so it answers. TensorRT is named in passing by what Triton is, and 2.10 by what TensorFlow's
    Windows support lost in 2.11: neither answers."""
    assert _answered_with(store, question, lang) == entry


TRITON_SERVES_TF = "tensorflow-triton-backend-deprecated"


@pytest.mark.parametrize(
    ("question", "lang", "subjects", "entry"),
    [
        ("oye, sirvo mi SavedModel de tensorflow con triton inference server o ya no se recomienda?", "es",
         ["tensorflow", "triton"], TRITON_SERVES_TF),
        ("can i still serve a tensorflow savedmodel with triton inference server?", "en", ["tensorflow", "triton"],
         TRITON_SERVES_TF),
        ("¿me hace falta cuda si mi grafica es de amd?", "es", ["gpu"], "cuda-definition"),
    ],
)  # fmt: skip
def test_an_entry_holding_the_first_word_of_a_subjects_long_name_speaks_of_the_subject(
    store, question, lang, subjects, entry
):
    """The NLU reads "triton inference server" as Triton; what Triton does with TensorFlow models says "Triton", never
    "inference", and answers. It reads "mi grafica" as the GPU; what CUDA is, asked "tengo una grafica amd…", answers.
    (tests/test_actions.py: the first word of "tensorflow.js" is a framework's name.)"""
    assert _answered_with_subjects(store, question, lang, subjects) == entry


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("we have two a100s in the lab, code to train on both at once?", "en"),
        ("en el curro hay un servidor con 4 h100, ejemplo de código para entrenar con todas a la vez", "es"),
    ],
)
def test_a_gpu_named_by_its_model_is_searched_as_a_gpu(store, question, lang):
    """synonyms.yml: "a100", "h100", "rtx" stand for "gpu". As words only the mixed-precision hardware fact states,
    they outweighed the rest of the request and no snippet covered it. (That "at once" asks for several GPUs is not
    read: the GPU snippet still comes before the distributed one.)"""
    hits = store.search(question, lang, kinds=["task"])
    assert {hit.entry for hit in hits[:2]} == {"task:gpu", "task:distributed"}
    assert "gpu" in store.query_terms(question, lang)


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("price of a cloud tpu per hour", "en"),
        ("what does it cost to train on a google tpu?", "en"),
        ("precio de una cloud tpu por hora", "es"),
        ("¿qué cuesta entrenar en una tpu de google?", "es"),
        ("what learning rate should i use with sgd", "en"),
        ("qué valor de dropout le pongo a mi red?", "es"),
    ],
)
def test_a_question_asking_for_a_figure_is_not_answered_by_an_entry_giving_none(store, question, lang):
    """asking_phrases.yml `number`: a price ("price of", "what does it cost", "precio de", "qué cuesta") or a value
    ("what learning rate should", "qué valor") asks for a figure. What TPUs are, which frameworks use them, what
    gradient descent or dropout is give none (the knowledge base holds no prices), so none answers."""
    assert _answered_with(store, question, lang) is None


def test_a_release_number_belongs_to_the_names_before_it():
    """knowledge/text.py `numbers_named`: in a statement, the names before a number in its clause, else the first name
    of its sentence; in a question (`nearest`), the name right before it. Years are no release numbers."""
    from knowledge.text import numbers_named

    def name_of(word):
        return {"executorch": "executorch", "pytorch": "pytorch", "keras": "keras", "python": "python"}.get(word)

    statement = "ExecuTorch, PyTorch's runtime for phones, reached version 1.0 in October 2025. Keras 3.8 added it."
    assert numbers_named(statement, name_of) == {"1p0": {"executorch"}, "3p8": {"keras"}}
    question = "does keras 3 support python 3.8 and version 2.1?"
    assert numbers_named(question, name_of, nearest=True) == {"3": {"keras"}, "3p8": {"python"}, "2p1": set()}


@pytest.mark.parametrize(
    ("question", "lang"), [("what date did pytorch 1.0 come out", "en"), ("¿en qué fecha salió pytorch 1.0?", "es")]
)
def test_a_release_asked_by_its_name_is_not_answered_by_another_names_release(store, question, lang):
    """PyTorch 1.0 is not ExecuTorch 1.0: the statement that ExecuTorch reached version 1.0 gives the number as
    ExecuTorch's, so it does not say when PyTorch 1.0 came out (store.search `_belongs`), and nothing else does. The
    same number asked as ExecuTorch's is still answered."""
    assert _answered_with(store, question, lang) is None
    own = question.replace("pytorch", "executorch")
    assert _answered_with_subjects(store, own, lang, ["pytorch"]) == "pytorch-executorch-ga"
