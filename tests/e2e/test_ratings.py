"""Ratings through the real servers into a real SQLite tracker store, and `make review` on what they stored.

The servers get their own tracker store file; the tests read it back with SQLAlchemy, as the review does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from actions.i18n import table
from actions.ratings import payload
from bot.terminal import chat as terminal
from tests.e2e.servers import ServerSet, ask, server_set
from tools.review.__main__ import main as review_main

RASA_PORT, ACTIONS_PORT = 19705, 19755
EN, ES = table("en"), table("es")
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ratings")


@pytest.fixture(scope="module")
def servers(kb_path, folder) -> Iterator[ServerSet]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_STORE_URL", f"sqlite:///{folder / 'trackers.sqlite'}")
        patch.setenv("RATE_LIMIT", "off")
        with server_set(RASA_PORT, ACTIONS_PORT, folder / "logs") as running:
            yield running


def new_sender() -> str:
    return f"rate-{uuid.uuid4().hex[:10]}"


def say(servers: ServerSet, sender: str, text: str, **extra: object) -> list[dict]:
    response = ask(servers.url, sender, text, **extra)
    assert response.status_code == 200, response.text[:300]
    return response.json()


def stored(folder: Path, sender: str) -> list[dict]:
    """The conversation's events as the tracker store holds them."""
    engine = sa.create_engine(f"sqlite:///{folder / 'trackers.sqlite'}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            ).all()
    finally:
        engine.dispose()
    return [json.loads(data) for (data,) in rows]


def slot_values(events: list[dict], name: str) -> list:
    return [e["value"] for e in events if e["event"] == "slot" and e["name"] == name]


def test_a_rating_is_stored_with_the_answer_it_rates_and_its_knowledge_entries(servers, folder):
    sender = new_sender()
    answer = say(servers, sender, "PyTorch vs TensorFlow for deployment?")[0]["text"]
    thanks = say(servers, sender, payload("down", "no numbers"))
    assert [reply["text"] for reply in thanks] == [EN["rating"]["down_with_reason"]]
    events = stored(folder, sender)
    entries = slot_values(events, "answer_entries")[-1]
    answered_at = [e["timestamp"] for e in events if e["event"] == "bot" and e["text"] == answer]
    (rating,) = slot_values(events, "last_rating")
    assert entries and rating == {
        "rating": "down",
        "reason": "no numbers",
        "question": "PyTorch vs TensorFlow for deployment?",
        "answer": answer[:300],
        "answered_at": answered_at[0],
        "entries": entries,
        "language": "en",
    }


def test_the_question_after_a_rating_is_answered_as_if_it_had_not_been_sent(servers, folder):
    rated, plain = new_sender(), new_sender()
    for sender in (rated, plain):
        say(servers, sender, "¿PyTorch o TensorFlow para desplegar en producción?")
    assert say(servers, rated, payload("up"))[0]["text"] == ES["rating"]["up"]  # the conversation's language
    follow_ups = [say(servers, sender, "¿y para investigación?") for sender in (rated, plain)]
    assert follow_ups[0] == [{**reply, "recipient_id": rated} for reply in follow_ups[1]]
    topics = [slot_values(stored(folder, sender), "topic") for sender in (rated, plain)]
    assert topics[0] and topics[0] == topics[1]  # the follow-up followed the rated answer's topic


@pytest.mark.parametrize(
    ("question", "feedback", "strings"),
    [("What is Keras?", "hmm, that's not right", EN), ("¿Qué es Keras?", "creo que eso está mal", ES)],
)
def test_feedback_typed_in_words_is_kept_with_the_answer_it_is_about(servers, folder, question, feedback, strings):
    sender = new_sender()
    say(servers, sender, question)
    replies = say(servers, sender, feedback)  # was: "You're welcome!" to "that didn't help"
    assert [reply["text"] for reply in replies] == [strings["rating"]["comment"]]
    (rating,) = slot_values(stored(folder, sender), "last_rating")
    assert rating["reason"] == feedback and rating["question"] == question


def test_a_rating_before_any_answer_stores_nothing_and_breaks_nothing(servers, folder):
    sender = new_sender()
    assert [r["text"] for r in say(servers, sender, payload("down", "x"))] == [EN["rating"]["nothing_yet"]]
    assert "Keras" in say(servers, sender, "What is Keras?")[0]["text"]
    assert slot_values(stored(folder, sender), "last_rating") == []


def test_the_terminal_rating_command_reaches_the_tracker_store(servers, folder):
    sender = new_sender()
    terminal.send(servers.url, sender, "What is PyTorch?")
    replies = terminal.send(servers.url, sender, terminal.rating_message("/bad  too long ") or "")
    assert [reply["text"] for reply in replies] == [EN["rating"]["down_with_reason"]]
    (rating,) = slot_values(stored(folder, sender), "last_rating")
    assert rating["rating"] == "down" and rating["reason"] == "too long" and rating["question"] == "What is PyTorch?"


def test_no_token_or_secret_sent_as_metadata_is_stored(servers, folder):
    sender = new_sender()
    fake_token = "-".join(("xoxb", "not", "a", "real", "secret"))  # assembled here: no token-shaped text committed
    metadata = {"language": "en", "token": fake_token, "auth": {"password": "hunter2"}}
    say(servers, sender, "What is TensorFlow?", metadata=metadata)
    text = json.dumps(stored(folder, sender))
    assert fake_token not in text and "hunter2" not in text
    users = [e for e in stored(folder, sender) if e["event"] == "user"]
    assert users[0]["metadata"]["language"] == "en"


def test_the_review_lists_what_these_conversations_could_not_answer_and_rated_down(servers, folder, monkeypatch):
    sender = new_sender()
    say(servers, sender, "give me a recipe for lasagna")  # a training example of out_of_scope
    say(servers, sender, "Give me a recipe for lasagna!")
    say(servers, sender, "What is Keras?")
    say(servers, sender, payload("down", "wanted the history"))
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{folder / 'trackers.sqlite'}")
    assert review_main(["--days", "1", "--out", str(folder / "review")]) == 0
    report = (folder / "review" / "review.md").read_text(encoding="utf-8")
    assert "| 2 | give me a recipe for lasagna | Give me a recipe for lasagna! | out of scope (2) |" in report
    down = [line for line in report.splitlines() if "wanted the history" in line]
    assert len(down) == 1 and "| What is Keras? |" in down[0] and "keras" in down[0]
    assert "no numbers" in report  # the first test's down-rating too
    assert "wanted the history" in (folder / "review" / "review.html").read_text(encoding="utf-8")


def test_rating_in_the_terminal_chat_as_a_user_types_it(servers, folder):
    """The terminal chat (bot/terminal/chat.py) in tmux, on this module's servers: a question, then `/bad reason`."""
    session = f"rate-{uuid.uuid4().hex[:6]}"
    command = f"{sys.executable} -m bot.terminal --rasa-port {RASA_PORT} --actions-port {ACTIONS_PORT}"
    env = {**os.environ, "TRACKER_STORE_URL": f"sqlite:///{folder / 'trackers.sqlite'}"}
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command], check=True, env=env)
    try:
        screen = wait_for_screen(session, "you>")
        assert "/good or /bad [reason]" in screen  # the help says how
        type_line(session, "What is PyTorch?")
        wait_for_screen(session, "PyTorch", after="What is PyTorch?")
        type_line(session, "/bad  needs an example")
        wait_for_screen(session, EN["rating"]["down_with_reason"][:30])
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    engine = sa.create_engine(f"sqlite:///{folder / 'trackers.sqlite'}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT data FROM events WHERE sender_id LIKE 'terminal-%'")).all()
    finally:
        engine.dispose()
    ratings = [json.loads(data)["value"] for (data,) in rows if '"last_rating"' in data]
    assert [(r["rating"], r["reason"], r["question"]) for r in ratings] == [
        ("down", "needs an example", "What is PyTorch?")
    ]


def type_line(session: str, text: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, "-l", text], check=True)
    subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)


def wait_for_screen(session: str, text: str, after: str = "", limit: float = 60) -> str:
    """The pane's text once `text` shows (below `after`, if given)."""
    deadline = time.monotonic() + limit
    while True:
        screen = subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-S", "-200", "-t", session], capture_output=True, text=True
        ).stdout
        if text in screen.split(after, 1)[-1] if after else text in screen:
            return screen
        assert time.monotonic() < deadline, f"{text!r} did not show in the terminal chat:\n{screen}"
        time.sleep(0.2)
