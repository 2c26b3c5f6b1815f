"""The held-out data stays held out: no held-out NLU example (tests/nlu) and no user turn of the test stories
(tests/stories) is a training text or a near-duplicate of one (tools/quality/heldout.py says the rule), and
every intent keeps enough held-out examples. Then the folding and the near-duplicate rule on made-up texts."""

from __future__ import annotations

import pytest

from knowledge.text import LANGUAGES, fold_phrase
from tools.quality import heldout
from tools.quality.heldout import Example


def _lines(collisions: list[heldout.Collision]) -> list[str]:
    return [str(collision) for collision in collisions]


# --- the real held-out data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained() -> list[Example]:
    return heldout.trained()


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_examples_never_appear_in_the_training_data(language, trained):
    assert heldout.seen_in_training(heldout.held_out(language), trained) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_examples_are_no_near_duplicates_of_training_examples(language, trained):
    assert _lines(heldout.near_duplicates(heldout.held_out(language), trained)) == []


def test_test_story_user_turns_never_appear_in_the_training_data(trained):
    turns = heldout.story_turns()
    assert len(turns) >= 30 and all(turn.intent for turn in turns)
    assert heldout.seen_in_training(turns, trained) == []


def test_test_story_user_turns_are_no_near_duplicates_of_training_examples(trained):
    assert _lines(heldout.near_duplicates(heldout.story_turns(), trained)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_enough_held_out_examples_including_out_of_scope(language):
    examples = heldout.held_out(language)
    trained_intents = {example.intent for example in heldout.load_examples(heldout.TRAINING_DIR / f"{language}.yml")}
    assert set(heldout.counts_per_intent(examples)) == trained_intents
    assert heldout.OUT_OF_SCOPE in trained_intents
    assert heldout.too_few(examples) == {}


# --- folding -----------------------------------------------------------------------------------------------


def test_folding_ignores_case_accents_inverted_marks_punctuation_and_spacing():
    assert fold_phrase("¿Qué  es   PyTorch?") == "que es pytorch"
    assert fold_phrase("¡Adiós, señor!") == "adios senor"
    assert fold_phrase("Pingüino…") == "pinguino"
    assert fold_phrase("what's c++") == "what s c++"  # symbols are not punctuation
    assert fold_phrase("que es keras") != fold_phrase("que es pytorch")


def test_overlap_check_ignores_case_accents_punctuation_and_spacing():
    held = [Example("What is  Keras?", "ask_definition"), Example("¿Cuándo salió TensorFlow?", "ask_fact")]
    training = [Example("what is keras", "ask_definition"), Example("cuando salio tensorflow", "ask_fact")]
    assert heldout.seen_in_training(held, training) == ["What is  Keras?", "¿Cuándo salió TensorFlow?"]
    assert heldout.seen_in_training(held, [Example("what is pytorch", "ask_definition")]) == []


def test_annotated_examples_give_plain_text_and_entity_spans():
    example = heldout.parse_annotated('[pytroch](framework) vs [tf]{"entity": "framework"}', "compare")
    assert example.text == "pytroch vs tf"
    assert [(e.entity, example.text[e.start : e.end]) for e in example.entities] == [
        ("framework", "pytroch"),
        ("framework", "tf"),
    ]


# --- the near-duplicate rule -----------------------------------------------------------------------------------


def test_word_sets_ignore_order_repetition_and_accents():
    assert heldout.words("Chau, chau") == heldout.words("chau") == frozenset({"chau"})
    assert heldout.jaccard(heldout.words("¿qué es keras?"), heldout.words("que es keras exactamente")) == 0.75
    assert heldout.jaccard(heldout.words("y en tf"), heldout.words("y en pytorch")) == 0.5
    assert heldout.jaccard(frozenset(), frozenset()) == 0.0


@pytest.mark.parametrize(
    "held, training",
    [
        ("q es keras exactamente", "q es keras"),  # one word added: 3/4
        ("¿Qué es TensorFlow Lite?", "que es tensorflow"),  # the same, with accents and marks folded
        ("keras vs tensorflow vs pytorch", "keras vs pytorch vs tensorflow"),  # reordered: 1.0
        ("chau chau", "chau"),  # repeated: the same set
        ("i want to get hired fast which one do i learn", "i want to get hired quickly which one do i learn"),  # 8/10
    ],
)
def test_a_training_example_lightly_edited_is_a_near_duplicate(held, training):
    collisions = heldout.near_duplicates(
        [Example(held, "held")], [Example("unrelated words here", "x"), Example(training, "t")]
    )
    assert [(c.text, c.training_text, c.training_intent) for c in collisions] == [(held, training, "t")]
    assert collisions[0].similarity >= heldout.NEAR_DUPLICATE_JACCARD


@pytest.mark.parametrize(
    "held, training",
    [
        ("y en tf", "y en pytorch"),  # another entity in a short turn: 2/4
        ("hola, buen día", "buen dia"),  # two words of three: 2/3
        ("how do I save my model in keras", "what is keras"),  # another intent, few words shared
        ("hasta luegoo", "hasta luego"),  # a typo is another word
    ],
)
def test_other_phrasings_are_not_near_duplicates(held, training):
    assert heldout.near_duplicates([Example(held, "held")], [Example(training, "t")]) == []


def test_a_collision_names_the_closest_training_example_of_any_intent():
    training = [
        Example("what is keras", "ask_definition"),
        Example("what is keras used for in practice", "ask_fact"),
        Example("is keras used in practice", "ask_fact"),
    ]
    (collision,) = heldout.near_duplicates(
        [Example("what is keras used for in practice today", "ask_definition")], training
    )
    assert (collision.training_text, collision.training_intent) == ("what is keras used for in practice", "ask_fact")
    assert collision.similarity == pytest.approx(7 / 8)
    assert "ask_fact" in str(collision) and "0.88" in str(collision)


def test_story_turns_and_training_turns_are_read_with_their_intents(tmp_path):
    stories = tmp_path / "test_stories.yml"
    stories.write_text(
        """version: "3.1"
stories:
  - story: one
    steps:
      - user: |
          ¿y con [tf]{"entity": "framework", "value": "tensorflow"}?
        intent: follow_up
      - action: action_compare
""",
        encoding="utf-8",
    )
    (turn,) = heldout.story_turns(stories)
    assert (turn.text, turn.intent, turn.entities[0].entity) == ("¿y con tf?", "follow_up", "framework")

    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "es.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hola\n', encoding="utf-8"
    )
    (tmp_path / "rules.yml").write_text(
        'version: "3.1"\nrules:\n- rule: r\n  steps:\n  - user: y con tf\n    intent: follow_up\n'
        "  - action: action_compare\n",
        encoding="utf-8",
    )
    assert [(e.text, e.intent) for e in heldout.trained(tmp_path)] == [("hola", "greet"), ("y con tf", "follow_up")]
    assert heldout.seen_in_training([turn], heldout.trained(tmp_path)) == ["¿y con tf?"]
