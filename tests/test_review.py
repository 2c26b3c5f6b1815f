"""`make review` (tools/review) on a real SQLite tracker store, written by our tracker store with Rasa's own events as
the bot stores them. tests/e2e/test_ratings.py runs it again on a store filled through the real servers."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.i18n import table
from bot.extensions.tracker_store import IncrementalSQLTrackerStore
from tools.review.__main__ import main
from tools.review.analysis import review, turns_of
from tools.review.events import read_conversations

ROOT = Path(__file__).resolve().parent.parent
NOW = time.time()
EN, ES = table("en"), table("es")


def user(text: str, intent: str, at: float, lang: str | None = "en", **entities: str) -> UserUttered:
    found = [{"entity": name, "value": value} for name, value in entities.items()]
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": found, "text": text}
    if lang:
        parse["language"] = lang
    return UserUttered(text, parse["intent"], found, parse, timestamp=at)


def reply(action: str, text: str, entries: list[str] | None, at: float, lang: str = "en", buttons=()) -> list:
    return [
        ActionExecuted(action, timestamp=at),
        BotUttered(text, {"buttons": list(buttons) or None}, timestamp=at),
        SlotSet("language", lang, timestamp=at),
        SlotSet("answer_entries", entries, timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def conversations(at: float) -> dict[str, list]:
    rating = {"rating": "down", "reason": "too short", "question": "What is Keras?", "answer": "Keras is…"}
    rating |= {"answered_at": at, "entries": ["keras-definition"], "language": "en"}
    offer = [{"title": "What is PyTorch?", "payload": "What is PyTorch?"}]
    return {
        "ana": [
            user("What is Keras?", "ask_definition", at, framework="keras"),
            *reply("action_define", "Keras is…", ["keras-definition"], at),
            user('/rate_answer{"rating": "down", "reason": "too short"}', "rate_answer", at + 1, None),
            ActionExecuted("action_rate_answer", timestamp=at + 1),
            BotUttered(EN["rating"]["down_with_reason"], timestamp=at + 1),
            SlotSet("last_rating", rating, timestamp=at + 1),
            user("how do I bake a cake", "out_of_scope", at + 2),
            *reply("action_smalltalk", EN["smalltalk"]["out_of_scope"], None, at + 2),
            user("How do I bake a cake??", "out_of_scope", at + 3),
            *reply("action_smalltalk", EN["smalltalk"]["out_of_scope"], None, at + 3),
            user("asdf qwer", "nlu_fallback", at + 4),
            *reply("action_low_confidence", EN["low_confidence"]["rephrase"], None, at + 4),
        ],
        "bea": [
            user("¿qué es softmax?", "ask_definition", at, "es"),
            *reply("action_define", ES["answer"]["did_you_mean"], None, at, "es", offer),
            user("¿Qué es softmax?", "ask_definition", at + 1, "es"),
            *reply("action_define", ES["answer"]["did_you_mean"], None, at + 1, "es", offer),
            user("¿qué es pytorch", "ask_definition", at + 2, "es"),
            *reply("action_define", ES["answer"]["did_you_mean"], None, at + 2, "es", offer),
            user("What is PyTorch?", "ask_definition", at + 3, "es", framework="pytorch"),
            *reply("action_define", "PyTorch es…", ["pytorch-definition"], at + 3, "es"),
            user("which GPU should I buy?", "recommend", at + 4, "es"),
            *reply("action_recommend", ES["answer"]["unknown"], None, at + 4, "es"),
        ],
    }


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("review") / "trackers.sqlite"
    store = IncrementalSQLTrackerStore(Domain.load(ROOT / "domain.yml"), db=str(path))
    written = {**conversations(NOW - 3600), "old": [user("what is jax?", "ask_definition", NOW - 20 * 86400)]}
    for sender, events in written.items():
        tracker = DialogueStateTracker(sender, store.domain.slots)
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))
    return f"sqlite:///{path}"


def test_each_turn_is_told_apart_by_its_events(store_url):
    found = {c.sender_id: [t.outcome for t in turns_of(c)] for c in read_conversations(store_url)}
    assert found["ana"] == ["answered", "rating", "out of scope", "out of scope", "fallback"]
    assert found["bea"] == [
        "did you mean, left unanswered",
        "did you mean, left unanswered",
        "did you mean, chosen",
        "answered",
        "I don't have that",
    ]


def test_the_report_groups_similar_unanswered_questions_and_lists_down_ratings(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE_URL", store_url)
    assert main(["--days", "7", "--out", str(tmp_path)]) == 0
    report = (tmp_path / "review.md").read_text(encoding="utf-8")
    assert "| 2 | how do I bake a cake | How do I bake a cake?? | out of scope (2) |" in report
    assert "| 2 | ¿qué es softmax? | ¿Qué es softmax? | did you mean, left unanswered (2) |" in report
    assert "| 1 | which GPU should I buy? |  | I don't have that (1) |" in report
    assert "| 1 | asdf qwer |  | fallback (1) |" in report
    assert "| en | What is Keras? | Keras is… | keras-definition | too short |" in report
    assert "| en | 4 | 1 | 25% |" in report and "| es | 4 | 1 | 25% |" in report  # a chosen offer is not counted
    assert "what is jax" not in report  # older than the period
    page = (tmp_path / "review.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<td>too short</td>" in page and "<script" not in page
    assert "¿qué es softmax?" in page


def test_the_period_can_be_given_as_dates(store_url):
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    old_day = today - timedelta(days=20)
    found = review(read_conversations(store_url, old_day, old_day + timedelta(days=1)), old_day, None)
    assert [t.text for t in found.questions] == ["what is jax?"]


def test_a_missing_store_is_named_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    with pytest.raises(SystemExit, match="No tracker store at .*make serve"):
        main(["--out", str(tmp_path)])
