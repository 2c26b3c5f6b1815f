"""The held-out NLU examples (tests/nlu) and test stories (tests/stories): reading them and checking they
stay apart from the training data.

Two checks, both against everything the model trains on (data/nlu in both languages and the `user:` turns
of data/stories*.yml and data/rules*.yml):

- `seen_in_training`: the same text once case, accents, "¿"/"¡", punctuation and spacing are folded
  (`knowledge.text.fold_phrase`): "¿Qué es PyTorch?" is the training example "que es pytorch".
- `near_duplicates`: nearly the same words. Each text becomes the set of its folded words; a held-out text
  collides with a training text of any intent when the two sets share at least 70% of their union
  (Jaccard >= 0.7, `NEAR_DUPLICATE_JACCARD`). That flags a training example with one word added or dropped
  ("q es keras exactamente" ~ "q es keras": 3/4), the same words in another order or repeated
  ("chau chau" ~ "chau": 1/1), and one word swapped in a sentence of six words or more (5/7). It leaves
  alone one word swapped in a short sentence ("y en tf" ~ "y en pytorch": 2/4), which is how the short,
  formulaic intents (follow-ups, greetings) differ from each other anyway. Sets of one or two words can
  only collide with the same words (2 shared of 3 is 0.67). The usual 0.8 would let the most common light
  edit through: one word added to a three-word example (0.75).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.paths import ROOT
from knowledge.text import fold_phrase

HELD_OUT_DIR = ROOT / "tests" / "nlu"
TEST_STORIES = ROOT / "tests" / "stories" / "test_stories.yml"
DATA_DIR = ROOT / "data"
TRAINING_DIR = DATA_DIR / "nlu"
OUT_OF_SCOPE = "out_of_scope"
MIN_EXAMPLES_PER_INTENT = 10
NEAR_DUPLICATE_JACCARD = 0.7

# [text](entity), [text]{"entity": ...}: the markup Rasa's training data format uses around entities.
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|\{(?P<json>[^}]+)\})")


@dataclass(frozen=True)
class Entity:
    entity: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[Entity, ...] = field(default=())


def _entity_type(match: re.Match) -> str:
    if match["short"]:
        return match["short"].split(":")[0].split("@")[0]
    return yaml.safe_load("{" + match["json"] + "}")["entity"]


def parse_annotated(line: str, intent: str) -> Example:
    """One example line in Rasa's markup -> its plain text and entity spans."""
    text, entities, position = "", [], 0
    for match in _ANNOTATION.finditer(line):
        text += line[position : match.start()]
        entities.append(Entity(_entity_type(match), len(text), len(text) + len(match["text"])))
        text += match["text"]
        position = match.end()
    text += line[position:]
    return Example(text.strip(), intent, tuple(entities))


def load_examples(path: Path) -> list[Example]:
    """Every intent example of one Rasa NLU YAML file, in file order."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples = []
    for block in document.get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(parse_annotated(line[2:].strip(), block["intent"]))
    return examples


def words(text: str) -> frozenset[str]:
    """The set of a text's folded words: order and repetition do not count."""
    return frozenset(fold_phrase(text).split())


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """Shared words over all words of the two sets (1.0: the same words; 0.0: none shared or both empty)."""
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def counts_per_intent(examples: list[Example]) -> Counter:
    return Counter(example.intent for example in examples)


def too_few(examples: list[Example], minimum: int = MIN_EXAMPLES_PER_INTENT) -> dict[str, int]:
    """Intents with fewer than `minimum` held-out examples."""
    return {intent: count for intent, count in counts_per_intent(examples).items() if count < minimum}


def seen_in_training(held_out: list[Example], training: list[Example]) -> list[str]:
    """Held-out texts that also appear (after `fold_phrase`) in the training data."""
    trained = {fold_phrase(example.text) for example in training}
    return [example.text for example in held_out if fold_phrase(example.text) in trained]


@dataclass(frozen=True)
class Collision:
    """A held-out text and the most similar training text (any intent), at or above the threshold."""

    text: str
    intent: str
    training_text: str
    training_intent: str
    similarity: float

    def __str__(self) -> str:
        return (
            f"{self.text!r} ({self.intent}) ~ training {self.training_text!r} ({self.training_intent}),"
            f" Jaccard {self.similarity:.2f}"
        )


def near_duplicates(
    held_out: list[Example], training: list[Example], threshold: float = NEAR_DUPLICATE_JACCARD
) -> list[Collision]:
    """Held-out examples whose folded word set shares at least `threshold` (Jaccard) with a training example
    of any intent; each with the most similar one (the first in file order on a tie). An example seen in
    training (`seen_in_training`) is also one, at 1.0."""
    trained = [(words(example.text), example) for example in training]
    collisions = []
    for example in held_out:
        mine = words(example.text)
        best, similarity = None, -1.0
        for theirs, candidate in trained:
            score = jaccard(mine, theirs)
            if score > similarity:
                best, similarity = candidate, score
        if best is not None and similarity >= threshold:
            collisions.append(Collision(example.text, example.intent, best.text, best.intent, similarity))
    return collisions


def _user_turns(document: dict, keys: tuple[str, ...]) -> list[Example]:
    turns = []
    for key in keys:
        for block in document.get(key) or []:
            for step in block.get("steps") or []:
                if "user" in step:
                    turns.append(parse_annotated(str(step["user"]).strip(), step.get("intent", "")))
    return turns


def story_turns(path: Path = TEST_STORIES) -> list[Example]:
    """The `user:` turns of a stories file (markup removed), each with the intent the story gives it."""
    return _user_turns(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, ("stories",))


def trained(directory: Path = DATA_DIR) -> list[Example]:
    """Every text the model trains on: the NLU examples of `directory`/nlu (both languages) and the `user:`
    turns of `directory`/stories*.yml and rules*.yml (end-to-end training turns, if any)."""
    turns = []
    for path in sorted([*directory.glob("stories*.yml"), *directory.glob("rules*.yml")]):
        turns += _user_turns(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, ("stories", "rules"))
    return training(directory / "nlu") + turns


def held_out(language: str, directory: Path = HELD_OUT_DIR) -> list[Example]:
    return load_examples(directory / f"{language}.yml")


def training(directory: Path = TRAINING_DIR) -> list[Example]:
    """All training examples, both languages together (an example trained in either is seen)."""
    return [example for path in sorted(directory.glob("*.yml")) for example in load_examples(path)]
