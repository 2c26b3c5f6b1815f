"""The cluster of `make serve-cluster`, with its real servers: PostgreSQL, Redis, two Rasa servers, two action
servers, nginx. Run by `make test-cluster`; the server kill comes last (the launcher starts the server again, but
the other tests should not depend on when).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import psutil
import psycopg2
import pytest
import requests
from rasa.utils.endpoints import EndpointConfig

from actions.ratings import payload
from bot.channels.replies import channel_text
from bot.extensions.lock_store import AtomicRedisLockStore
from bot.launch import cluster
from tests.widget_client import Widget
from tools.review.__main__ import main as review_main

BALANCER = f"http://127.0.0.1:{cluster.BALANCER_PORT}"
SERVERS = [f"http://127.0.0.1:{port}" for port in cluster.RASA_PORTS]


@pytest.fixture(scope="module", autouse=True)
def running_cluster():
    # The launcher writes the file once its cluster is up; one left by a launcher that was killed names old processes.
    cluster.PIDS_FILE.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launch.cluster"], cwd=cluster.serve.ROOT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + cluster.STARTUP_LIMIT_SECONDS
        while not cluster.PIDS_FILE.exists() or not all(
            cluster.is_up(f"{url}/webhooks/rest/") for url in [*SERVERS, BALANCER]
        ):
            assert process.poll() is None, f"the cluster stopped; see {cluster.serve.LOG_DIR}"
            assert time.monotonic() < deadline, "the cluster did not start in time"
            time.sleep(1)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)


APOLOGY = channel_text("unavailable", "en")


def ask(url: str, sender: str, text: str, retries: int = 0) -> str:
    """One message; a client of the balancer sends it again when a server goes away under it or the bot
    apologises that it cannot answer right now (the apology asks the user to try again)."""
    for attempt in range(retries + 1):
        try:
            body = {"sender": sender, "message": text}
            response = requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=60)
            said = "\n".join(reply.get("text", "") for reply in response.json()) if response.ok else ""
            if said and (said != APOLOGY or attempt == retries):
                return said
        except requests.RequestException:
            pass
        time.sleep(0.5 * (attempt + 1))
    raise AssertionError(f"no answer to {text!r} for {sender}")


def story(sender: str) -> list[str]:
    """The conversation as stored, one line an event, for a failure's message."""
    said = {
        "user": lambda e: f"user: {e['text']}",
        "bot": lambda e: f"bot: {(e['text'] or '')[:60]}",
        "action": lambda e: f"action: {e['name']}",
        "slot": lambda e: f"slot: {e['name']}={e['value']}",
        "session_started": lambda e: "session started",
    }
    return [said[e["event"]](e) for e in events(sender) if e["event"] in said]


def events(sender: str) -> list[dict]:
    with psycopg2.connect(host="127.0.0.1", port=cluster.POSTGRES_PORT, user="postgres", dbname="rasa") as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            return [json.loads(row[0]) for row in cursor.fetchall()]


def test_one_conversation_alternating_between_servers_keeps_its_context():
    sender = f"alt-{uuid.uuid4().hex[:8]}"
    assert "Both are good starting points" in ask(SERVERS[0], sender, "compare keras and pytorch")
    assert "better debugging capabilities than Keras" in ask(SERVERS[1], sender, "and for debugging?")
    assert "Keras 3" in ask(SERVERS[0], sender, "what about speed?")
    spanish = ask(SERVERS[1], sender, "¿y en cuanto a la comunidad?")
    assert "Keras" in spanish and "PyTorch" in spanish and "comunidad" in spanish


def test_the_widget_talks_through_the_balancer_and_keeps_its_session():
    """Long-polling sends each request anew, so it only works when the balancer keeps a client on one server."""

    async def talk() -> tuple[str, str, str, str]:
        widget = Widget(BALANCER)
        session = await widget.open()
        first = await widget.say(session, "compare keras and pytorch")
        await widget.close()
        again = Widget(BALANCER)
        confirmed = await again.open(session)
        follow_up = await again.say(session, "and for debugging?")
        await again.close()
        return session, confirmed, first[0]["text"], follow_up[0]["text"]

    session, confirmed, first, follow_up = asyncio.run(talk())
    assert confirmed == session
    assert "Both are good starting points" in first and "better debugging capabilities than Keras" in follow_up
    assert [event["text"] for event in events(session) if event["event"] == "user"][-1] == "and for debugging?"


def test_the_tracker_lives_in_postgresql():
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    ask(BALANCER, sender, "hello")
    ask(BALANCER, sender, "what is keras?")
    texts = [event.get("text") for event in events(sender) if event["event"] == "user"]
    assert texts == ["hello", "what is keras?"]


def test_make_review_reads_the_ratings_and_unanswered_questions_from_postgresql(tmp_path, monkeypatch):
    # The cluster's PostgreSQL keeps its data between runs: this test's earlier cakes would join the new one in one
    # group of similar questions, so they go first.
    with psycopg2.connect(host="127.0.0.1", port=cluster.POSTGRES_PORT, user="postgres", dbname="rasa") as connection:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM events WHERE sender_id LIKE 'review-%%'")
    sender = f"review-{uuid.uuid4().hex[:8]}"
    cake = f"how do I bake a cake with {sender}?"  # unique, so that earlier runs' rows cannot satisfy the test
    ask(BALANCER, sender, cake)
    ask(BALANCER, sender, "what is keras?")
    ask(BALANCER, sender, payload("down", f"reason {sender}"))
    monkeypatch.setenv("TRACKER_STORE_URL", cluster.TRACKER_STORE_URL)
    assert review_main(["--days", "1", "--out", str(tmp_path)]) == 0
    report = (tmp_path / "review.md").read_text(encoding="utf-8")
    assert f"| 1 | {cake} |  | out of scope (1) |" in report
    (down,) = [line for line in report.splitlines() if f"reason {sender}" in line]
    assert "| what is keras? |" in down and "keras" in down


def test_concurrent_messages_of_one_user_are_processed_one_at_a_time():
    senders = [f"lock-{n}-{uuid.uuid4().hex[:6]}" for n in range(4)]
    messages = ["hi", "what is keras?", "what is pytorch?", "thanks", "what is tensorflow?", "bye"]
    threads = [
        threading.Thread(target=ask, args=(SERVERS[i % 2], sender, text), kwargs={"retries": 2})
        for sender in senders
        for i, text in enumerate(messages)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # With the lock, each message is handled whole before the next one: user, then the bot's answer.
    for sender in senders:
        kinds = [event["event"] for event in events(sender) if event["event"] in ("user", "bot")]
        assert kinds == ["user", "bot"] * len(messages), (sender, kinds)


def test_a_message_queued_behind_a_dead_server_keeps_its_turn():
    """A server that dies holding a conversation leaves a ticket nobody renews; the message queued behind it gets
    its turn when that ticket expires and keeps it, however long it works, so the next message waits for it."""
    store = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=cluster.REDIS_PORT, db=0, ticket_seconds=1))
    conversation = f"dead-{uuid.uuid4().hex[:8]}"
    store.issue_ticket(conversation)  # the dead server's
    order: list[str] = []

    async def message(name: str, work_seconds: float) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.05):
            order.append(f"{name} starts")
            await asyncio.sleep(work_seconds)
            order.append(f"{name} ends")

    async def two_messages() -> None:
        first = asyncio.create_task(message("first", work_seconds=3))
        while not order:  # the second arrives once the first is at work, as a client's next message does
            await asyncio.sleep(0.05)
        await message("second", work_seconds=0)
        await first

    asyncio.run(asyncio.wait_for(two_messages(), timeout=30))  # with the tickets of Rasa 3.6, the first never starts
    assert order == ["first starts", "first ends", "second starts", "second ends"]


def requests_in_flight(server: psutil.Process, port: int, limit: float = 30) -> int:
    """Waits until `server` holds a connection from nginx on `port`, i.e. is answering a request now: nginx keeps
    no idle connections to its upstreams (no `keepalive` in bot/launch/cluster.py), so an open one is a request."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        connections = server.net_connections("tcp")
        answering = [c for c in connections if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port]
        if answering:
            return len(answering)
        time.sleep(0.01)
    return 0


def test_killing_a_rasa_server_mid_load_loses_no_conversation():
    pids = json.loads(cluster.PIDS_FILE.read_text(encoding="utf-8"))
    senders = [f"kill-{n}-{uuid.uuid4().hex[:6]}" for n in range(8)]
    questions = ["hi", "compare keras and pytorch", "and for deployment?", "what is tensorflow?", "thanks", "bye"]
    answers: dict[str, list[str]] = {sender: [] for sender in senders}

    def converse(sender: str) -> None:
        for text in questions:
            answers[sender].append(ask(BALANCER, sender, text, retries=6))

    threads = [threading.Thread(target=converse, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    victim = psutil.Process(pids[f"rasa-{cluster.RASA_PORTS[0]}"])
    in_flight = requests_in_flight(victim, cluster.RASA_PORTS[0])
    assert in_flight, "no request reached the server before the conversations ended: nothing to prove"
    os.killpg(victim.pid, signal.SIGKILL)
    for thread in threads:
        thread.join()
    for sender in senders:
        assert len(answers[sender]) == len(questions)
        assert "PyTorch has its own export paths" in answers[sender][2], (answers[sender], story(sender))
        said = [event.get("text") for event in events(sender) if event["event"] == "user"]
        assert all(text in said for text in questions), (sender, said)
