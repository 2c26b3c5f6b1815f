"""The held-out NLU examples (tests/nlu): reading them and checking they stay apart from the training data."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
HELD_OUT_DIR = ROOT / "tests" / "nlu"
TRAINING_DIR = ROOT / "data" / "nlu"
LANGUAGES = ("en", "es")
OUT_OF_SCOPE = "out_of_scope"
MIN_EXAMPLES_PER_INTENT = 10

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


def normalise(text: str) -> str:
    """Case, punctuation and spacing removed: two texts equal after this are the same example."""
    text = unicodedata.normalize("NFC", text.lower())
    text = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    return " ".join(text.split())


def counts_per_intent(examples: list[Example]) -> Counter:
    return Counter(example.intent for example in examples)


def too_few(examples: list[Example], minimum: int = MIN_EXAMPLES_PER_INTENT) -> dict[str, int]:
    """Intents with fewer than `minimum` held-out examples."""
    return {intent: count for intent, count in counts_per_intent(examples).items() if count < minimum}


def seen_in_training(held_out: list[Example], training: list[Example]) -> list[str]:
    """Held-out texts that also appear (after `normalise`) in the training data."""
    trained = {normalise(example.text) for example in training}
    return [example.text for example in held_out if normalise(example.text) in trained]


def held_out(language: str, directory: Path = HELD_OUT_DIR) -> list[Example]:
    return load_examples(directory / f"{language}.yml")


def training(directory: Path = TRAINING_DIR) -> list[Example]:
    """All training examples, both languages together (an example trained in either is seen)."""
    return [example for path in sorted(directory.glob("*.yml")) for example in load_examples(path)]
