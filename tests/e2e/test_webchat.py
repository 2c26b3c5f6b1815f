"""The widget's socket.io channel against the real Rasa and action servers, with python-socketio as the client."""

from __future__ import annotations

import asyncio
import json
import queue
import sqlite3
import uuid
from collections.abc import Iterator

import pytest
import requests
import socketio

from bot.launch import runtime_config
from tests.e2e.servers import running_servers
from tests.widget_client import REPLY_SECONDS, Widget

RASA_PORT, ACTIONS_PORT = 14005, 14055


@pytest.fixture(scope="module")
def rasa_url() -> Iterator[str]:
    with running_servers(RASA_PORT, ACTIONS_PORT) as url:
        yield url


def conversation(coroutine_function):
    """Runs an async test body in its own event loop (the module's servers are shared, the clients are not)."""
    return asyncio.run(coroutine_function())


def test_demo_page_and_embed_script_are_served(rasa_url):
    page = requests.get(f"{rasa_url}/webhooks/webchat/", timeout=10)
    assert page.status_code == 200 and "widget.js" in page.text
    script = requests.get(f"{rasa_url}/webhooks/webchat/widget.js", timeout=10)
    assert script.status_code == 200, "the widget is built by `make widget` (a prerequisite of make serve/test)"
    assert "javascript" in script.headers["content-type"] and len(script.content) > 10_000


def test_code_arrives_as_one_whole_message_with_its_blank_lines(rasa_url):
    async def talk() -> list[dict]:
        widget = Widget(rasa_url)
        session = await widget.open()
        try:
            return await widget.say(session, "show me a training loop in PyTorch")
        finally:
            await widget.close()

    replies = conversation(talk)
    code_replies = [reply for reply in replies if "```" in reply.get("text", "")]
    assert code_replies, replies
    text = code_replies[0]["text"]
    assert text.count("```") % 2 == 0, "a code fence was split across messages"
    code = text.split("```")[1]
    assert "\n\n" in code and "backward()" in code


def test_session_persists_across_reconnects_and_sockets(rasa_url):
    async def talk() -> tuple[str, str, list[dict], list[dict]]:
        first = Widget(rasa_url)
        session = await first.open()
        await first.say(session, "compare PyTorch and TensorFlow")
        await first.close()
        again, other_tab = Widget(rasa_url), Widget(rasa_url)
        confirmed = await again.open(session)
        await other_tab.open(session)
        follow_up = await again.say(session, "and for deployment?")
        seen_by_other_tab = [await asyncio.wait_for(other_tab.received.get(), REPLY_SECONDS)]
        await again.close()
        await other_tab.close()
        return session, confirmed, follow_up, seen_by_other_tab

    session, confirmed, follow_up, seen_by_other_tab = conversation(talk)
    assert confirmed == session
    answer = " ".join(reply.get("text", "") for reply in follow_up).lower()
    assert "pytorch" in answer and "tensorflow" in answer and "deploy" in answer
    assert seen_by_other_tab[0] == follow_up[0]


def test_replies_sent_while_a_socket_was_away_are_replayed_when_it_returns(rasa_url):
    async def talk() -> tuple[list[dict], list[dict], list[dict]]:
        tab = Widget(rasa_url)
        session = await tab.open()
        seen = await tab.say(session, "what is keras?")
        await tab.close()  # the link drops; meanwhile the same session gets an answer elsewhere
        other_tab = Widget(rasa_url)
        await other_tab.open(session)
        missed = await other_tab.say(session, "what is pytorch?")
        await other_tab.close()
        back = Widget(rasa_url)
        await back.open(session, seen=len(seen))
        replayed = await back.collect()
        await back.close()
        return seen, missed, replayed

    seen, missed, replayed = conversation(talk)
    assert "Keras" in seen[0]["text"] and "PyTorch" in missed[0]["text"]
    assert [reply["text"] for reply in replayed] == [reply["text"] for reply in missed]
    assert all(reply.get("replayed") for reply in replayed)


def test_page_language_and_url_reach_the_tracker_and_nothing_else(rasa_url):
    async def talk() -> str:
        widget = Widget(rasa_url)
        session = await widget.open(f"test-{uuid.uuid4().hex}")
        await widget.say(session, "hola", language="es")
        await widget.close()
        return session

    session = conversation(talk)
    database = runtime_config.DEFAULT_TRACKER_STORE.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (session,)
        ).fetchall()
    metadata = json.loads(rows[-1][0])["metadata"]
    assert metadata["language"] == "es" and metadata["page_url"] == "http://localhost/course/intro"
    assert "cookie" not in metadata, "only what the channel knows to be page metadata reaches the tracker"


@pytest.mark.parametrize("bad", [None, 42, {"text": "hi"}, ["hi"]])
def test_a_message_that_is_not_text_gets_a_short_reply(rasa_url, bad):
    async def talk() -> list[dict]:
        widget = Widget(rasa_url)
        session = await widget.open()
        try:
            return await widget.say(session, bad, language="es")
        finally:
            await widget.close()

    replies = conversation(talk)
    assert len(replies) == 1 and "texto" in replies[0]["text"]


def test_pages_from_other_origins_cannot_connect_by_default(rasa_url):
    async def talk() -> None:
        widget = Widget(rasa_url, origin="https://elsewhere.example")
        await widget.open()

    with pytest.raises(socketio.exceptions.ConnectionError):
        conversation(talk)


def test_the_widget_protocol_works_over_websocket(rasa_url):
    """Sanic 21.12 on Python 3.11 closed every WebSocket right after opening it (patches/sanic_websockets.py)."""
    client = socketio.Client(reconnection=False)  # the synchronous client's WebSocket comes from websocket-client
    confirmed: queue.Queue = queue.Queue()
    received: queue.Queue = queue.Queue()
    client.on("session_confirm", confirmed.put)
    client.on("bot_uttered", received.put)
    client.connect(rasa_url, transports=["websocket"])
    try:
        assert client.transport() == "websocket"
        client.emit("session_request", {"session_id": None})
        session = confirmed.get(timeout=REPLY_SECONDS)
        for question, expected in (("what is keras?", "Keras"), ("and pytorch?", "PyTorch")):
            client.emit("user_uttered", {"message": question, "session_id": session, "customData": {}})
            assert expected in received.get(timeout=REPLY_SECONDS)["text"]
    finally:
        client.disconnect()
