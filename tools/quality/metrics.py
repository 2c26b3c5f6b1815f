"""The figures of `make evaluate`, computed from plain predictions (as `tools.quality.score` writes them)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sklearn.metrics import f1_score

from tools.quality.heldout import OUT_OF_SCOPE


def intent_accuracy(predictions: list[dict[str, Any]]) -> float:
    return sum(p["intent"] == p["predicted"] for p in predictions) / len(predictions) if predictions else 0.0


def macro_f1(predictions: list[dict[str, Any]]) -> float:
    """Mean F1 over the intents of the test data; a prediction outside them (nlu_fallback) counts as a miss."""
    labels = sorted({p["intent"] for p in predictions})
    gold = [p["intent"] for p in predictions]
    predicted = [p["predicted"] or "" for p in predictions]
    return float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))


def out_of_scope_recall(predictions: list[dict[str, Any]]) -> float | None:
    out_of_scope = [p for p in predictions if p["intent"] == OUT_OF_SCOPE]
    return intent_accuracy(out_of_scope) if out_of_scope else None


def in_scope_accuracy(predictions: list[dict[str, Any]]) -> float:
    return intent_accuracy([p for p in predictions if p["intent"] != OUT_OF_SCOPE])


def entity_scores(predictions: list[dict[str, Any]]) -> dict[str, float]:
    """Micro precision, recall and F1 of entity spans: type, start and end must all be right."""
    gold = Counter(tuple(e) + (i,) for i, p in enumerate(predictions) for e in p["entities"])
    found = Counter(tuple(e) + (i,) for i, p in enumerate(predictions) for e in p["predicted_entities"])
    correct = sum((gold & found).values())
    precision = correct / sum(found.values()) if found else 0.0
    recall = correct / sum(gold.values()) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "gold": sum(gold.values()),
        "found": sum(found.values()),
    }


def story_accuracy(stories: list[dict[str, Any]], language: str | None = None) -> tuple[int, int]:
    """(passed, total) test stories, of one language ("en", "es", "mixed") or all."""
    chosen = [story for story in stories if language is None or story["language"] == language]
    return sum(story["passed"] for story in chosen), len(chosen)


def nlu_summary(predictions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "examples": len(predictions),
        "intent_accuracy": intent_accuracy(predictions),
        "macro_f1": macro_f1(predictions),
        "entity": entity_scores(predictions),
        "out_of_scope_recall": out_of_scope_recall(predictions),
        "in_scope_accuracy": in_scope_accuracy(predictions),
        "fallbacks": sum(p["predicted"] == "nlu_fallback" for p in predictions),
    }
