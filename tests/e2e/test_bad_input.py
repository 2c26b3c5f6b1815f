"""Bad input over REST, Slack and socket.io, against the real servers: every case gets a short reply in the user's
language or a clean 4xx that says what is wrong; the servers keep answering; the knowledge base is not touched.

Also checked here, with these servers' default security settings: Rasa's HTTP API is closed without a token,
and the Slack secrets in the servers' environment appear in no log and no file the servers wrote.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy.exc import OperationalError

from bot.channels.replies import channel_text
from bot.channels.rest import body_limit
from bot.channels.slack import slack_signature
from bot.launch import runtime_config
from tests.e2e.servers import ServerSet, ask, server_set, wait_until_slack_idle
from tests.e2e.test_slack import direct_message, event_body, in_thread, mention, new_channel
from tests.slack_standin import SlackStandIn

RASA_PORT, ACTIONS_PORT = 19005, 19055
MAX_CHARS = 2000
RATE_LIMIT = 4  # messages per minute and sender: small, so the limit is reached quickly
SLACK_TOKEN = "fake-bot-token-BADINPUT-7f3e9a1c"  # recognisable, to look for in logs and files
SLACK_SECRET = "BADINPUT-signing-secret-5d2b8e"
REPLY_SECONDS = 30  # generous: replies take well under a second on an idle machine
HUNDRED_KB = 100 * 1024

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def kb_digest(kb_path: Path) -> str:
    """The knowledge base's bytes before any bad input arrives."""
    return hashlib.sha256(kb_path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def kb_mtime(kb_path: Path) -> int:
    return kb_path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """This module's tracker store and server logs."""
    return tmp_path_factory.mktemp("bad-input")


@pytest.fixture(scope="module")
def servers(kb_digest, kb_mtime, standin, folder) -> Iterator[ServerSet]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(runtime_config.API_TOKEN_VARIABLE, raising=False)
        patch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
        patch.setenv("SLACK_SIGNING_SECRET", SLACK_SECRET)
        patch.setenv("SLACK_API_URL", standin.api_url)
        patch.setenv("TRACKER_STORE_URL", f"sqlite:///{folder / 'trackers.sqlite'}")
        patch.setenv("MAX_MESSAGE_CHARS", str(MAX_CHARS))
        patch.setenv("RATE_LIMIT", f"{RATE_LIMIT}/minute")
        with server_set(RASA_PORT, ACTIONS_PORT, folder / "logs") as running:
            yield running


def new_sender() -> str:
    return f"bad-{uuid.uuid4().hex[:10]}"


def texts(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text[:500]
    replies = response.json()
    assert replies and all(reply["recipient_id"] for reply in replies)
    return [reply.get("text", "") for reply in replies]


def assert_answers_normally(url: str, sender: str | None = None) -> None:
    """The server is still up and answers a plain question."""
    [answer] = texts(ask(url, sender or new_sender(), "What is Keras?"))
    assert "Keras is" in answer


# --- REST -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, metadata, key",
    [
        ("", None, "empty"),
        ("   \n\t  ", None, "empty"),
        ("\x00\x01\x1b\x7f", None, "empty"),
        ("", {"language": "es"}, "empty"),
        ("Tell me about Keras. " * (HUNDRED_KB // 21), None, "too_long"),
        ("¿Qué diferencia hay entre Keras y PyTorch? " * 2500, None, "too_long"),
        ("y" * (MAX_CHARS + 1), {"language": "es"}, "too_long"),
    ],
    ids=["empty", "whitespace", "only-control-chars", "empty-es", "100KB", "100KB-spanish", "one-over-limit-es"],
)
def test_empty_or_too_long_text_gets_a_polite_reply_in_the_users_language(servers, text, metadata, key):
    language = "es" if (metadata or {}).get("language") == "es" or "¿" in text else "en"
    extra = {"metadata": metadata} if metadata else {}
    replies = texts(ask(servers.url, new_sender(), text, **extra))
    cleaned = text.strip()
    expected = channel_text(key, language, length=len(cleaned), limit=MAX_CHARS)
    assert replies == [expected]


def test_the_conversations_language_is_kept_for_a_refusal(servers):
    sender = new_sender()
    assert "TensorFlow" in "".join(texts(ask(servers.url, sender, "¿Quién desarrolló TensorFlow?")))
    assert texts(ask(servers.url, sender, "   ")) == [channel_text("empty", "es")]


@pytest.mark.parametrize(
    "body, status, fragment",
    [
        (b"\xff\xfe\x00{", 400, "not valid UTF-8"),
        ('{"sender": "a", "message": "caf\xe9"}'.encode("latin-1"), 400, "not valid UTF-8"),
        (b'{"sender": "a", "message": "hi"', 400, "not valid JSON"),
        (b"sender=a&message=hi", 400, "not valid JSON"),
        (b"", 400, "not valid JSON"),
        (b'["a", "hi"]', 400, "must be a JSON object"),
        (b"null", 400, "must be a JSON object"),
        (b'{"message": "hi"}', 400, '"sender" must be'),
        (b'{"sender": 12345, "message": "hi"}', 400, '"sender" must be'),
        (b'{"sender": null, "message": "hi"}', 400, '"sender" must be'),
        (b'{"sender": "a"}', 400, '"message" must be a string'),
        (b'{"sender": "a", "message": 3.14}', 400, '"message" must be a string'),
        (b'{"sender": "a", "message": ["hi"]}', 400, '"message" must be a string'),
        (b'{"sender": "a", "message": {"text": "hi"}}', 400, '"message" must be a string'),
        (b'{"sender": "a", "message": true}', 400, '"message" must be a string'),
        (b'{"sender": "a", "message": "hi", "metadata": [1]}', 400, '"metadata", when given'),
        (b"[" * 50_000 + b"]" * 50_000, 400, "not valid JSON"),
    ],
    ids=[
        "binary",
        "latin-1",
        "truncated-json",
        "form-encoded",
        "empty-body",
        "json-array",
        "json-null",
        "no-sender",
        "number-sender",
        "null-sender",
        "no-message",
        "number-message",
        "list-message",
        "object-message",
        "boolean-message",
        "list-metadata",
        "deeply-nested",
    ],
)
def test_unreadable_requests_get_a_clean_400_saying_what_is_wrong(servers, body, status, fragment):
    response = requests.post(f"{servers.url}/webhooks/rest/webhook", data=body, timeout=REPLY_SECONDS)
    assert response.status_code == status
    assert fragment in response.json()["error"]


def test_a_body_larger_than_any_message_needs_gets_413(servers):
    limit = body_limit(MAX_CHARS)
    body = json.dumps({"sender": new_sender(), "message": "z" * (limit + 1)}).encode()
    response = requests.post(f"{servers.url}/webhooks/rest/webhook", data=body, timeout=REPLY_SECONDS)
    assert response.status_code == 413 and str(limit) in response.json()["error"]


def test_a_huge_declared_body_is_refused_before_it_is_read(servers):
    """Headers announcing 50 MB, and no body: the server answers 413 at once instead of waiting to read it."""
    port = int(servers.url.rsplit(":", 1)[1])
    with socket.create_connection(("localhost", port), timeout=REPLY_SECONDS) as connection:
        connection.sendall(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 52428800\r\n\r\n{"
        )
        status_line = connection.recv(200).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large", status_line
    assert texts(ask(servers.url, new_sender(), "what is keras?"))  # and the server goes on answering


def test_control_characters_and_invalid_code_points_are_cleaned_before_the_bot_sees_them(servers):
    [answer] = texts(ask(servers.url, new_sender(), "What\x00 is\x1b[31m \x07Keras?\ud800"))
    assert "Keras is" in answer


@pytest.mark.parametrize(
    "text",
    [
        "🤖🔥💯",
        "What is Keras? 👩‍💻🇪🇸",
        "מה ההבדל בין PyTorch ל-TensorFlow?",
        "ما الفرق بين \u200fPyTorch و TensorFlow؟",
        "'; DROP TABLE claims; --",
        "PyTorch' OR '1'='1",
        'keras"; DELETE FROM sources WHERE 1=1; SELECT "',
        "<script>alert('pwned')</script>",
        '<img src=x onerror="alert(1)"> what is pytorch?',
        "{{7*7}} ${jndi:ldap://x/a} %s%s%n",
        "\u202eedoc em wohs",
    ],
    ids=[
        "emoji",
        "emoji-zwj",
        "hebrew",
        "arabic-rlm",
        "sql-drop",
        "sql-or",
        "sql-delete",
        "script",
        "html",
        "templates",
        "rlo",
    ],
)
def test_odd_but_readable_text_gets_a_short_reply_and_is_never_echoed_as_markup(servers, text):
    replies = texts(ask(servers.url, new_sender(), text))
    joined = "\n".join(replies)
    assert 0 < len(joined) < 4000
    assert "<script" not in joined and "onerror" not in joined and "DROP TABLE" not in joined


def test_the_rate_limit_answers_429_with_retry_after_in_the_users_language(servers):
    sender = new_sender()
    for _ in range(RATE_LIMIT):  # empty messages: counted, but cheap for the server
        assert ask(servers.url, sender, "").status_code == 200
    refused = ask(servers.url, sender, "¿Qué es Keras?", metadata={"language": "es"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert [reply["text"] for reply in refused.json()] == [channel_text("rate_limited", "es")]
    assert_answers_normally(servers.url)  # other senders are not held back


def test_streamed_replies_still_work_and_refusals_stream_too(servers):
    url = f"{servers.url}/webhooks/rest/webhook?stream=true"
    response = requests.post(url, json={"sender": new_sender(), "message": "What is Keras?"}, timeout=REPLY_SECONDS)
    lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    assert response.status_code == 200 and lines and "Keras is" in lines[0]["text"]
    response = requests.post(url, json={"sender": new_sender(), "message": " "}, timeout=REPLY_SECONDS)
    assert [json.loads(line)["text"] for line in response.text.splitlines()] == [channel_text("empty", "en")]


def test_the_client_cannot_claim_another_input_channel(servers, folder):
    sender = new_sender()
    body = {"sender": sender, "message": "What is PyTorch?", "input_channel": "slack"}
    assert texts(requests.post(f"{servers.url}/webhooks/rest/webhook", json=body, timeout=REPLY_SECONDS))
    with sqlite3.connect(folder / "trackers.sqlite") as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchall()
    assert [json.loads(row[0])["input_channel"] for row in rows] == ["rest"]


# --- Slack ------------------------------------------------------------------------------------------------------


def post_slack(servers: ServerSet, body: bytes, content_type: str = "application/json") -> requests.Response:
    sent_at = str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": sent_at,
        "X-Slack-Signature": slack_signature(SLACK_SECRET, sent_at, body),
    }
    return requests.post(f"{servers.url}/webhooks/slack/webhook", data=body, headers=headers, timeout=10)


def slack_replies(standin: SlackStandIn, channel: str, ts: str) -> list[str]:
    """The bot's posts in the thread once there is one (test_slack.py checks that nothing is posted twice)."""
    posts = standin.wait_for_posts(in_thread(channel, ts), 1, timeout=REPLY_SECONDS)
    assert posts, f"no reply in the Slack thread within {REPLY_SECONDS} s"
    return [post["text"] for post in posts]


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'{"type": "event_callback", "event": ', "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"payload=%7Bnot%20json", "application/x-www-form-urlencoded"),
        (b"nothing=here", "application/x-www-form-urlencoded"),
        (b"payload=\xff\xfe", "application/x-www-form-urlencoded"),
        (b"[" * 50_000, "application/json"),
    ],
    ids=["truncated-json", "binary", "json-array", "form-bad-payload", "form-no-payload", "form-binary", "deep"],
)
def test_signed_slack_requests_that_are_not_events_get_a_clean_400(servers, body, content_type):
    response = post_slack(servers, body, content_type)
    assert response.status_code == 400 and "neither a Slack event" in response.text


WRONG_TYPED_EVENTS = [
    {"type": "message", "channel_type": "im", "user": "UALICE", "channel": "DX1", "ts": "1.1", "text": 42},
    {"type": "message", "channel_type": "im", "user": ["UALICE"], "channel": "DX2", "ts": "1.2", "text": "hi"},
    {"type": "app_mention", "user": "UALICE", "channel": {"id": "C1"}, "ts": "1.3", "text": "hi"},
    {"type": "app_mention", "user": "UALICE", "channel": "CX4", "ts": None, "text": "hi"},
]


def test_wrong_typed_slack_events_are_acknowledged_and_ignored(servers, standin):
    before = len(standin.posts())
    bodies = [event_body(event) for event in WRONG_TYPED_EVENTS]
    bodies += [json.dumps(envelope).encode() for envelope in WRONG_TYPED_ENVELOPES]
    for body in bodies:
        assert post_slack(servers, body).status_code == 200, body
    channel = new_channel("D")
    body, ts = direct_message(channel, "What is Keras?")
    post_slack(servers, body)
    assert "Keras" in slack_replies(standin, channel, ts)[0]
    wait_until_slack_idle(servers.url)
    assert len(standin.posts()) == before + 1


WRONG_TYPED_ENVELOPES = [
    {"type": "event_callback", "event": [WRONG_TYPED_EVENTS[0]]},
    {"type": "event_callback", "event": "hi", "authorizations": 7, "event_id": ["x"]},
    {"type": "block_actions", "actions": "click", "user": "UALICE"},
    {"type": "block_actions", "actions": [{"type": "button", "value": 7}], "container": []},
    {"type": "url_verification", "challenge": {"x": 1}},
]


def test_a_bare_mention_gets_a_polite_reply_in_its_thread(servers, standin):
    channel = new_channel()
    body, ts = mention(channel, "   ")
    assert post_slack(servers, body).status_code == 200
    assert slack_replies(standin, channel, ts) == [channel_text("empty", "en")]


@pytest.mark.parametrize(
    "text, language",
    [("What is Keras? " * (HUNDRED_KB // 15), "en"), ("¿Qué es PyTorch? " * 200, "es")],
    ids=["100KB", "spanish"],
)
def test_a_too_long_slack_message_gets_a_polite_reply_in_its_thread(servers, standin, text, language):
    channel = new_channel("D")
    body, ts = direct_message(channel, text)
    assert post_slack(servers, body).status_code == 200
    expected = channel_text("too_long", language, length=len(text.strip()), limit=MAX_CHARS)
    assert slack_replies(standin, channel, ts) == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("What\x00 is\x1b Keras?", "Keras"),
        ("¿Quién desarrolló TensorFlow? 🤖", "Google"),
        ("'; DROP TABLE claims; -- <script>alert(1)</script>", None),
        ("מה זה PyTorch?", None),
    ],
    ids=["control-chars", "emoji-spanish", "sql-html", "hebrew"],
)
def test_odd_slack_text_gets_one_short_reply(servers, standin, text, expected):
    channel = new_channel("D")
    body, ts = direct_message(channel, text)
    post_slack(servers, body)
    [reply] = slack_replies(standin, channel, ts)
    assert 0 < len(reply) < 4000 and "<script" not in reply
    assert expected is None or expected in reply


# --- socket.io (the widget's channel) ----------------------------------------------------------------------------


class SocketClient:
    """The widget's protocol over socket.io (python-socketio); keeps every bot_uttered it receives."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", self.received.put_nowait)
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.client.on("session_confirm", self.confirmed.put_nowait)

    async def open(self) -> str:
        await self.client.connect(self.url, headers={"Origin": self.url}, transports=["polling"])
        await self.client.emit("session_request", {"session_id": uuid.uuid4().hex})
        return await asyncio.wait_for(self.confirmed.get(), REPLY_SECONDS)

    async def close(self) -> None:
        """Sends the close packet without waiting for the pending long-poll: python-engineio's client would wait
        up to the ping interval (25 s) for it."""
        try:
            await asyncio.wait_for(self.client.disconnect(), 1.0)
        except TimeoutError:
            pass

    async def replies(self, wait: float = REPLY_SECONDS, quiet: float = 1.0) -> list[dict[str, Any]]:
        """The bot messages until none has come for `quiet` seconds (at most `wait` for the first)."""
        try:
            found = [await asyncio.wait_for(self.received.get(), wait)]
        except TimeoutError:
            return []
        while True:
            try:
                found.append(await asyncio.wait_for(self.received.get(), quiet))
            except TimeoutError:
                return found


def socketio_available(url: str) -> bool:
    return requests.get(f"{url}/webhooks/webchat/health", timeout=5).ok


def assert_socketio_available(url: str) -> None:
    """The widget channel is in the committed credentials.yml: its absence is a failure, never a skip."""
    assert socketio_available(url), "the webchat channel does not answer: is it still in credentials.yml?"


SOCKET_CASES = {
    "number": 42,
    "object": {"text": "hi"},
    "null": None,
    "list": ["What is Keras?"],
    "empty": "",
    "whitespace": " \n\t ",
    "100KB": "k" * HUNDRED_KB,
    "html": "<script>alert(1)</script><b>what is keras?</b>",
    "control-chars": "what\x00 is\x1b keras?",
    "rtl": "מה זה PyTorch?",
}


@pytest.mark.parametrize("case", list(SOCKET_CASES))
def test_bad_socketio_messages_get_a_short_reply_and_the_socket_keeps_working(servers, case):
    assert_socketio_available(servers.url)

    async def talk() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        widget = SocketClient(servers.url)
        session = await widget.open()
        try:
            await widget.client.emit(
                "user_uttered", {"message": SOCKET_CASES[case], "session_id": session, "customData": {"language": "en"}}
            )
            odd = await widget.replies()
            await widget.client.emit("user_uttered", {"message": "What is Keras?", "session_id": session})
            return odd, await widget.replies(quiet=0.2)
        finally:
            await widget.close()

    odd, normal = asyncio.run(talk())
    assert len(odd) == 1 and 0 < len(odd[0]["text"]) < 4000 and "<script" not in odd[0]["text"]
    assert any("Keras is" in reply.get("text", "") for reply in normal)


@pytest.mark.parametrize(
    "payload", [{"message": "What is Keras?"}, {"message": "What is Keras?", "session_id": 7}, "What is Keras?", None]
)
def test_socketio_messages_without_a_usable_session_do_not_break_the_server(servers, payload):
    assert_socketio_available(servers.url)

    async def talk() -> list[dict[str, Any]]:
        widget = SocketClient(servers.url)
        await widget.client.connect(servers.url, headers={"Origin": servers.url}, transports=["polling"])
        try:
            await widget.client.emit("user_uttered", payload)
            return await widget.replies(wait=5, quiet=0.5)
        finally:
            await widget.close()

    replies = asyncio.run(talk())
    assert len(replies) <= 1 and all(0 < len(reply["text"]) < 4000 for reply in replies)
    assert_answers_normally(servers.url)


# --- after all of it ----------------------------------------------------------------------------------------------


def test_the_servers_are_still_up_and_answer(servers):
    assert all(process.poll() is None for process in servers.processes.values())
    assert_answers_normally(servers.url)
    assert requests.get(f"{servers.actions_url}/health", timeout=5).json()["status"] == "ok"


def test_the_knowledge_base_is_unchanged_and_read_only(servers, kb_path, kb_digest, kb_mtime):
    # Byte for byte and untouched since before the servers started; SQLite would leave a journal beside it.
    assert hashlib.sha256(kb_path.read_bytes()).hexdigest() == kb_digest
    assert kb_path.stat().st_mtime_ns == kb_mtime
    assert sorted(path.name for path in kb_path.parent.glob(kb_path.name + "*")) == [kb_path.name]
    # The action server opens it with KNOWLEDGE_DB_URL through KnowledgeStore, which makes the URL read-only.
    from knowledge.store import KnowledgeStore

    assert os.environ["KNOWLEDGE_DB_URL"] == f"sqlite:///{kb_path}"
    engine = KnowledgeStore()._engine
    assert "mode=ro" in str(engine.url)
    with pytest.raises(OperationalError, match="readonly"), engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE intruder (x INTEGER)")


def test_the_management_api_is_closed_without_a_token(servers):
    for path in ("/conversations/someone/tracker", "/status", "/model/parse", "/domain"):
        assert requests.get(f"{servers.url}{path}", timeout=5).status_code == 404, path
    assert requests.get(f"{servers.url}/", timeout=5).ok  # only Rasa's hello page and the channels remain


def test_the_slack_secrets_are_in_no_log_and_no_file_the_servers_wrote(servers):
    written = [servers.log_dir / name for name in os.listdir(servers.log_dir)]
    written += [runtime_config.RUN_DIR / f"{kind}-{RASA_PORT}.yml" for kind in ("credentials", "endpoints")]
    for path in written:
        content = path.read_text(encoding="utf-8", errors="replace")
        assert SLACK_TOKEN not in content and SLACK_SECRET not in content, path
    for process in servers.processes.values():
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode(errors="replace")
        assert SLACK_TOKEN not in command_line and SLACK_SECRET not in command_line
    for kind in ("credentials", "endpoints"):
        assert (runtime_config.RUN_DIR / f"{kind}-{RASA_PORT}.yml").stat().st_mode & 0o077 == 0


def test_no_error_was_logged_for_any_of_it(servers):
    assert error_lines(servers.logs()) == []


def error_lines(log: str) -> list[str]:
    """Each ERROR line or traceback start with the lines after it, so a failure shows what went wrong."""
    lines = log.splitlines()
    return [
        "\n".join(lines[index : index + 12])
        for index, line in enumerate(lines)
        if " ERROR " in line or line.startswith("Traceback")
    ]
