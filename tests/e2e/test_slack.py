"""The Slack channel: its pure parts, then end to end with the real servers and a stand-in for Slack.

The HTTP tests sign requests the way Slack does, post them to /webhooks/slack/webhook, and read what the bot
sent to the stand-in's Web API (tests/slack_standin.py). The Socket Mode tests run a second server that has
only the bot token and an app-level token (no public address): the stand-in hands it envelopes over a real
WebSocket and records the acknowledgements. Each case uses its own channel and timestamps.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from bot.channels.replies import channel_entries, channel_text
from bot.channels.slack import (
    RecentKeys,
    clean_text,
    conversation_id,
    parse_conversation_id,
    question_from_click,
    question_from_event,
    rating_message,
    signature_problem,
    slack_signature,
)
from bot.channels.slack_assistant import assistant_thread_from_event, title_from_question
from bot.channels.slack_settings import CHANNEL_CLASS, credentials_from_env
from bot.launch import serve
from tests.e2e.servers import running_servers, wait_until_slack_idle
from tests.slack_standin import BOT_ID, BOT_USER_ID, SlackStandIn

RASA_PORT, ACTIONS_PORT = 16005, 16055
RASA = f"http://localhost:{RASA_PORT}"
WEBHOOK = f"{RASA}/webhooks/slack/webhook"
TOKEN = "fake-bot-token-for-tests"
SECRET = "signing-secret-for-tests-only"
APP_TOKEN = "-".join(("xapp", "not-a-real-app-token-e2e"))  # assembled: no token-shaped text committed
USER = "UALICE"
REPLY_WAIT = 30.0  # seconds; generous, replies usually take well under one
_counter = itertools.count(1)


# --- pure parts -------------------------------------------------------------------------------------------------


def test_signature_checks():
    body, now = b'{"type": "event_callback"}', 1_700_000_000
    good = slack_signature(SECRET, str(now), body)
    assert good.startswith("v0=") and len(good) == 67
    assert signature_problem(SECRET, str(now), good, body, now + 299) is None
    assert signature_problem(SECRET, str(now), good, body, now + 301) == "timestamp outside the 5-minute window"
    assert signature_problem(SECRET, str(now), good, body + b" ", now) == "signature does not match"
    assert signature_problem("other secret", str(now), good, body, now) == "signature does not match"
    assert signature_problem(SECRET, None, good, body, now) == "missing signature headers"
    assert signature_problem(SECRET, str(now), None, body, now) == "missing signature headers"
    assert signature_problem(SECRET, "soon", good, body, now) == "malformed timestamp"
    assert signature_problem(SECRET, str(now), "v0=ñ", body, now) == "signature does not match"


def test_which_events_are_answered():
    mention = {"type": "app_mention", "user": USER, "channel": "C1", "ts": "1.1", "text": "<@UBOT> hi"}
    question = question_from_event(mention, {BOT_USER_ID})
    assert question and question.thread_ts == "1.1" and question.conversation_id == "slack:C1:1.1"
    in_thread = question_from_event({**mention, "ts": "1.5", "thread_ts": "1.1"})
    assert in_thread and in_thread.thread_ts == "1.1" and in_thread.key == "message:C1:1.5"
    dm = {"type": "message", "channel_type": "im", "user": USER, "channel": "D1", "ts": "2.2", "text": "hola"}
    assert question_from_event(dm)
    assert question_from_event({**dm, "channel_type": "channel"}) is None
    assert question_from_event({**dm, "bot_id": BOT_ID}) is None
    assert question_from_event({**dm, "subtype": "bot_message"}) is None
    assert question_from_event({**dm, "subtype": "message_changed"}) is None
    assert question_from_event({**dm, "subtype": "channel_join"}) is None
    assert question_from_event({**dm, "user": BOT_USER_ID}, {BOT_USER_ID}) is None
    assert question_from_event({**dm, "text": ""}) is None


def test_button_clicks_are_the_users_message_in_the_buttons_thread():
    payload = click_payload("C9", root="5.0", value='/compare{"framework": ["keras", "pytorch"]}')
    question = question_from_click(payload)
    assert question and question.clicked
    assert (question.text, question.channel, question.thread_ts) == (
        '/compare{"framework": ["keras", "pytorch"]}',
        "C9",
        "5.0",
    )
    assert question_from_click({**payload, "type": "view_submission"}) is None
    assert question_from_click({**payload, "actions": [{"type": "static_select"}]}) is None


def test_a_click_on_the_feedback_buttons_is_a_rating_of_the_answer_in_its_thread():
    payload = feedback_payload("C9", root="5.0", rating="down")
    question = question_from_click(payload)
    assert question and question.rating == "down" and not question.typed
    assert (question.text, question.thread_ts) == ('/rate_answer{"rating": "down"}', "5.0")
    assert question.rated_ts == payload["container"]["message_ts"]
    assert rating_message("up") == '/rate_answer{"rating": "up"}'
    other = {**payload["actions"][0], "value": "/restart"}
    assert question_from_click({**payload, "actions": [other]}) is None  # only "up" and "down" are ratings


def test_assistant_threads_and_their_titles():
    event = assistant_thread_started("D1", "7.0", user="U2")
    thread = assistant_thread_from_event(event)
    assert thread and (thread.user, thread.channel, thread.thread_ts) == ("U2", "D1", "7.0")
    assert assistant_thread_from_event({**event, "type": "assistant_thread_context_changed"}) is None
    assert assistant_thread_from_event({**event, "assistant_thread": {"channel_id": "D1"}}) is None
    assert title_from_question("  Which   framework\nfirst? ") == "Which framework first?"
    assert len(title_from_question("x" * 500)) == 80


def test_mentions_and_slack_markup_are_cleaned_from_typed_text():
    assert clean_text("<@UBOT> PyTorch vs TensorFlow &amp; Keras?", {"UBOT"}) == "PyTorch vs TensorFlow & Keras?"
    assert clean_text("see <https://keras.io|keras.io> <@UBOT>", {"UBOT"}) == "see keras.io"


def test_conversation_ids_and_recent_keys():
    assert parse_conversation_id(conversation_id("C1", "1.2")) == ("C1", "1.2")
    assert parse_conversation_id("U123") is None
    recent = RecentKeys(limit=2)
    assert recent.first_time("a") and not recent.first_time("a")
    assert recent.first_time("b") and recent.first_time("c") and recent.first_time("a")
    assert recent.discard("a") and not recent.discard("a") and recent.first_time("a")


def test_credentials_from_env_needs_the_token_and_a_way_in_and_writes_no_secret():
    assert credentials_from_env({"SLACK_BOT_TOKEN": TOKEN}) is None
    assert credentials_from_env({"SLACK_SIGNING_SECRET": SECRET}) is None
    assert credentials_from_env({"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": SECRET}) is None
    entry = credentials_from_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET})
    assert entry == {CHANNEL_CLASS: {"slack_api_url": "https://slack.com/api/"}}
    assert credentials_from_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}) == entry
    custom = credentials_from_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": "x"})
    assert custom == {CHANNEL_CLASS: {"slack_api_url": "x"}}


# --- end to end -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slack(kb_path, standin, tmp_path_factory) -> Iterator[SlackStandIn]:
    folder = tmp_path_factory.mktemp("slack")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLACK_BOT_TOKEN", TOKEN)
        patch.setenv("SLACK_SIGNING_SECRET", SECRET)
        patch.setenv("SLACK_API_URL", standin.api_url)
        patch.setenv("TRACKER_STORE_URL", f"sqlite:///{folder / 'trackers.sqlite'}")
        with running_servers(RASA_PORT, ACTIONS_PORT):
            assert requests.get(f"{RASA}/webhooks/slack/", timeout=5).ok, "the Slack channel is not enabled"
            yield standin


def new_ts() -> str:
    return f"{int(time.time())}.{next(_counter):06d}"


def new_channel(prefix: str = "C") -> str:
    return prefix + uuid.uuid4().hex[:10].upper()


def post_signed(
    body: bytes,
    content_type: str = "application/json",
    timestamp: int | None = None,
    secret: str = SECRET,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    sent_at = str(int(time.time()) if timestamp is None else timestamp)
    signed = {"X-Slack-Request-Timestamp": sent_at, "X-Slack-Signature": slack_signature(secret, sent_at, body)}
    return requests.post(
        WEBHOOK, data=body, headers={"Content-Type": content_type, **signed, **(headers or {})}, timeout=10
    )


def event_body(event: dict[str, Any]) -> bytes:
    return json.dumps(event_payload(event)).encode()


def event_payload(event: dict[str, Any]) -> dict[str, Any]:
    """An Events API callback, as the HTTP endpoint gets it and as a Socket Mode envelope carries it."""
    return {
        "token": "unused-verification-token",
        "team_id": "TTEST",
        "api_app_id": "ATEST",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "TTEST", "user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }


def mention(channel: str, text: str, thread_ts: str | None = None) -> tuple[bytes, str]:
    payload, ts = mention_payload(channel, text, thread_ts)
    return json.dumps(payload).encode(), ts


def mention_payload(channel: str, text: str, thread_ts: str | None = None) -> tuple[dict[str, Any], str]:
    ts = new_ts()
    event = {"type": "app_mention", "user": USER, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts, "channel": channel}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event_payload({**event, "event_ts": ts}), ts


def direct_message(channel: str, text: str, **extra: Any) -> tuple[bytes, str]:
    payload, ts = direct_message_payload(channel, text, **extra)
    return json.dumps(payload).encode(), ts


def direct_message_payload(channel: str, text: str, **extra: Any) -> tuple[dict[str, Any], str]:
    ts = new_ts()
    event = {"type": "message", "channel_type": "im", "user": USER, "text": text, "ts": ts, "channel": channel}
    return event_payload({**event, "event_ts": ts, **extra}), ts


def click_payload(channel: str, root: str, value: str) -> dict[str, Any]:
    bot_message_ts = new_ts()
    return {
        "type": "block_actions",
        "user": {"id": USER, "username": "alice", "team_id": "TTEST"},
        "api_app_id": "ATEST",
        "token": "unused-verification-token",
        "trigger_id": f"trigger-{uuid.uuid4().hex[:8]}",
        "team": {"id": "TTEST"},
        "container": {"type": "message", "message_ts": bot_message_ts, "channel_id": channel, "thread_ts": root},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": bot_message_ts, "thread_ts": root},
        "actions": [
            {"type": "button", "action_id": "reply-button-0", "block_id": "b1", "value": value, "action_ts": new_ts()}
        ],
    }


def feedback_payload(channel: str, root: str, rating: str) -> dict[str, Any]:
    """A click on the thumbs of an answer, as Slack sends it (block_actions with a feedback_buttons action)."""
    payload = click_payload(channel, root, value=rating)
    action = {"type": "feedback_buttons", "action_id": "rate-answer", "block_id": "f1", "value": rating}
    return {**payload, "actions": [{**action, "action_ts": new_ts()}]}


def assistant_thread_started(channel: str, thread_ts: str, user: str = USER) -> dict[str, Any]:
    context = {"channel_id": "CVIEWED", "team_id": "TTEST", "enterprise_id": None}
    thread = {"user_id": user, "context": context, "channel_id": channel, "thread_ts": thread_ts}
    return {"type": "assistant_thread_started", "assistant_thread": thread, "event_ts": new_ts()}


def in_thread(channel: str, thread_ts: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: body.get("channel") == channel and body.get("thread_ts") == thread_ts


def reply_to(slack: SlackStandIn, channel: str, thread_ts: str, count: int = 1) -> list[dict[str, Any]]:
    """The bot's posts in the thread once `count` have come; fails after a generous wait."""
    posts = slack.wait_for_posts(in_thread(channel, thread_ts), count, timeout=REPLY_WAIT)
    assert len(posts) >= count, f"no reply in thread {thread_ts} within {REPLY_WAIT} s; see {serve.LOG_DIR}"
    return posts


def settled_posts(slack: SlackStandIn, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """The thread's posts once the server has finished every event it accepted (nothing more can come)."""
    wait_until_slack_idle(RASA)
    return slack.posts(in_thread(channel, thread_ts))


def assert_never_answered(slack: SlackStandIn, channel: str, thread_ts: str) -> None:
    """A later question in the same channel gets its answer, and the ignored one still has none."""
    body, control_ts = mention(channel, "What is Keras?")
    assert post_signed(body).status_code == 200
    reply_to(slack, channel, control_ts)
    assert settled_posts(slack, channel, thread_ts) == []


def code_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The fenced code in a post's markdown blocks, as Slack receives it."""
    fenced = re.compile(r"^```[\w+.-]*\n(.*?)\n```$", re.DOTALL | re.MULTILINE)
    return [code for block in blocks if block["type"] == "markdown" for code in fenced.findall(block["text"])]


@pytest.mark.e2e
def test_url_verification_echoes_the_challenge(slack):
    body = json.dumps(
        {
            "token": "unused",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    answer = post_signed(body.encode())
    assert answer.status_code == 200
    assert answer.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.e2e
def test_mention_is_answered_once_in_its_thread_with_blocks(slack):
    channel = new_channel()
    body, ts = mention(channel, "which framework should I learn?")
    answer = post_signed(body)
    assert answer.status_code == 200 and "X-Slack-No-Retry" not in answer.headers
    reply_to(slack, channel, ts)
    [post] = settled_posts(slack, channel, ts)
    assert post["thread_ts"] == ts and post["blocks"]
    assert "PyTorch" in post["text"] and "**" not in post["text"]
    assert any(block["type"] == "actions" for block in post["blocks"])
    assert {call.authorization for call in slack.calls} == {f"Bearer {TOKEN}"}
    assert any(call.path == "/api/auth.test" for call in slack.calls)


@pytest.mark.e2e
def test_follow_up_in_the_same_thread_continues_the_conversation(slack):
    channel = new_channel()
    body, root = mention(channel, "what are the main differences between pytorch and tensorflow?")
    post_signed(body)
    reply_to(slack, channel, root)
    body, _ = mention(channel, "and for deployment?", thread_ts=root)
    post_signed(body)
    second = reply_to(slack, channel, root, count=2)[1]
    assert "TensorFlow Serving" in second["text"]


@pytest.mark.e2e
def test_spanish_direct_message_gets_a_spanish_reply_in_its_thread(slack):
    channel = new_channel("D")
    body, ts = direct_message(channel, "¿Quién desarrolló TensorFlow?")
    assert post_signed(body).status_code == 200
    [post] = reply_to(slack, channel, ts)
    assert "Google" in post["text"].split("\n")[0]


@pytest.mark.e2e
def test_code_arrives_whole_with_its_blank_lines(slack):
    from knowledge.paths import SNIPPETS_DIR

    code = (SNIPPETS_DIR / "pytorch" / "train.py").read_text(encoding="utf-8").rstrip("\n")
    assert "\n\n" in code
    channel = new_channel("D")
    body, ts = direct_message(channel, "Show me a training loop in PyTorch")
    post_signed(body)
    reply_to(slack, channel, ts)
    [post] = settled_posts(slack, channel, ts)
    assert code in code_texts(post["blocks"])


@pytest.mark.e2e
@pytest.mark.parametrize("secret", ["not-the-signing-secret", None], ids=["wrong-secret", "unsigned"])
def test_bad_or_missing_signature_is_refused(slack, secret):
    channel = new_channel()
    body, ts = mention(channel, "What is Keras?")
    if secret:
        answer = post_signed(body, secret=secret)
    else:
        answer = requests.post(WEBHOOK, data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 401
    assert_never_answered(slack, channel, ts)
    log = (serve.LOG_DIR / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "Rejected a request to the Slack webhook" in log
    assert SECRET not in log and TOKEN not in log


@pytest.mark.e2e
def test_stale_timestamp_is_refused(slack):
    channel = new_channel()
    body, ts = mention(channel, "What is Keras?")
    assert post_signed(body, timestamp=int(time.time()) - 600).status_code == 401
    assert_never_answered(slack, channel, ts)


@pytest.mark.e2e
def test_retry_of_an_answered_event_is_acknowledged_and_not_answered_again(slack):
    channel = new_channel()
    body, ts = mention(channel, "What is PyTorch?")
    post_signed(body)
    reply_to(slack, channel, ts)
    retry = post_signed(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status_code == 200 and retry.headers.get("X-Slack-No-Retry") == "1"
    assert len(settled_posts(slack, channel, ts)) == 1


@pytest.mark.e2e
def test_the_bots_own_message_is_ignored(slack):
    channel = new_channel("D")
    body, ts = direct_message(channel, "Keras is a high-level API.", bot_id=BOT_ID, user=BOT_USER_ID)
    assert post_signed(body).status_code == 200
    assert_never_answered(slack, channel, ts)


@pytest.mark.e2e
def test_message_edits_are_ignored(slack):
    channel = new_channel("D")
    ts = new_ts()
    edited = {"type": "message", "user": USER, "text": "What is TensorFlow?", "ts": ts, "edited": {"ts": new_ts()}}
    event = {"type": "message", "subtype": "message_changed", "channel": channel, "channel_type": "im", "hidden": True}
    body = event_body({**event, "message": edited, "ts": new_ts(), "event_ts": new_ts()})
    assert post_signed(body).status_code == 200
    assert_never_answered(slack, channel, ts)


@pytest.mark.e2e
def test_button_click_is_answered_in_its_thread(slack):
    channel = new_channel()
    body, root = mention(channel, "PyTorch vs TensorFlow for deployment?")
    post_signed(body)
    reply_to(slack, channel, root)
    payload = click_payload(channel, root, '/compare{"framework": ["keras", "pytorch"]}')
    form = urlencode({"payload": json.dumps(payload)}).encode()
    assert post_signed(form, content_type="application/x-www-form-urlencoded").status_code == 200
    second = reply_to(slack, channel, root, count=2)[1]
    assert "Keras" in second["text"] and "PyTorch" in second["text"]
    assert len(settled_posts(slack, channel, root)) == 2


@pytest.mark.e2e
def test_http_assistant_thread_is_greeted_with_suggested_prompts(slack):
    channel, thread_ts = new_channel("D"), new_ts()
    assert post_signed(event_body(assistant_thread_started(channel, thread_ts))).status_code == 200
    [greeting] = reply_to(slack, channel, thread_ts)
    assert greeting["text"] == channel_text("assistant_greeting", "en")
    assert all(block["type"] != "context_actions" for block in greeting["blocks"])  # not an answer: no rating
    [prompts] = slack.calls_to("assistant.threads.setSuggestedPrompts", in_assistant_thread(channel, thread_ts))
    assert prompts["prompts"] == channel_entries("suggested_prompts", "en")


# --- Socket Mode: the same bot with no public address (bot token + app token, no signing secret) -------------

SOCKET_RASA_PORT, SOCKET_ACTIONS_PORT = 16105, 16155
SOCKET_RASA = f"http://localhost:{SOCKET_RASA_PORT}"
SPANISH_USER = "UMARIA"


@dataclass
class SocketSlack:
    """The stand-in the Socket Mode server is connected to, and that server's tracker store."""

    standin: SlackStandIn
    trackers: Path
    logs: Path

    def send(self, kind: str, payload: dict[str, Any], retry_attempt: int = 0, retry_reason: str = "") -> None:
        """One envelope, returning once the bot has acknowledged it (so the server has taken it)."""
        envelope_id = self.standin.send_envelope(kind, payload, retry_attempt, retry_reason)
        assert self.standin.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}, "envelope not acknowledged"

    def settled_posts(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        wait_until_slack_idle(SOCKET_RASA)
        return self.standin.posts(in_thread(channel, thread_ts))

    def user_events(self, conversation: str) -> list[dict[str, Any]]:
        wait_until_slack_idle(SOCKET_RASA)
        with sqlite3.connect(self.trackers) as connection:
            rows = connection.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (conversation,)
            ).fetchall()
        return [json.loads(data) for (data,) in rows]


@pytest.fixture(scope="module")
def socket_slack(kb_path, tmp_path_factory) -> Iterator[SocketSlack]:
    folder = tmp_path_factory.mktemp("slack-socket")
    standin = SlackStandIn(locales={SPANISH_USER: "es-ES"}).start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SLACK_BOT_TOKEN", TOKEN)
            patch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
            patch.delenv("SLACK_SIGNING_SECRET", raising=False)
            patch.setenv("SLACK_API_URL", standin.api_url)
            patch.setenv("TRACKER_STORE_URL", f"sqlite:///{folder / 'trackers.sqlite'}")
            with running_servers(SOCKET_RASA_PORT, SOCKET_ACTIONS_PORT, log_dir=folder / "logs"):
                assert standin.wait_until_connected(timeout=60), f"no Socket Mode connection; see {folder / 'logs'}"
                yield SocketSlack(standin, folder / "trackers.sqlite", folder / "logs")
    finally:
        standin.stop()


def in_assistant_thread(channel: str, thread_ts: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: body.get("channel_id") == channel and body.get("thread_ts") == thread_ts


def has_feedback_buttons(post: dict[str, Any]) -> bool:
    return any(block["type"] == "context_actions" for block in post["blocks"])


@pytest.mark.e2e
def test_socket_mode_connects_with_the_app_token_and_opens_no_http_endpoint(socket_slack):
    [call] = [call for call in socket_slack.standin.calls if call.method == "apps.connections.open"]
    assert call.authorization == f"Bearer {APP_TOKEN}"
    unsigned = requests.post(f"{SOCKET_RASA}/webhooks/slack/webhook", data=b"{}", timeout=10)
    assert unsigned.status_code == 404  # without a signing secret nothing could prove a request came from Slack
    log = (socket_slack.logs / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "Slack Socket Mode: connecting through" in log
    assert APP_TOKEN not in log and TOKEN not in log


@pytest.mark.e2e
def test_socket_mode_mention_is_acknowledged_and_answered_in_its_thread_while_thinking(socket_slack):
    channel = new_channel()
    payload, ts = mention_payload(channel, "which framework should I learn?")
    socket_slack.send("events_api", payload)
    [post] = socket_slack.standin.wait_for_posts(in_thread(channel, ts), timeout=REPLY_WAIT)
    assert "PyTorch" in post["text"] and any(block["type"] == "actions" for block in post["blocks"])
    assert has_feedback_buttons(post)
    assert len(socket_slack.settled_posts(channel, ts)) == 1
    calls = [
        call
        for call in socket_slack.standin.calls
        if channel in (call.body.get("channel"), call.body.get("channel_id"))
    ]
    assert [(call.method, call.body.get("status")) for call in calls] == [
        ("assistant.threads.setStatus", channel_text("thinking", "en")),
        ("chat.postMessage", None),
        ("assistant.threads.setStatus", ""),
    ]
    assert {call.authorization for call in calls} == {f"Bearer {TOKEN}"}


@pytest.mark.e2e
def test_socket_mode_redelivery_is_acknowledged_and_not_answered_twice(socket_slack):
    channel = new_channel()
    payload, ts = mention_payload(channel, "What is PyTorch?")
    socket_slack.send("events_api", payload)
    socket_slack.send("events_api", payload, retry_attempt=1, retry_reason="timeout")
    socket_slack.standin.wait_for_posts(in_thread(channel, ts), timeout=REPLY_WAIT)
    assert len(socket_slack.settled_posts(channel, ts)) == 1


@pytest.mark.e2e
def test_socket_mode_button_click_is_answered_in_its_thread(socket_slack):
    channel = new_channel()
    payload, root = mention_payload(channel, "PyTorch vs TensorFlow for deployment?")
    socket_slack.send("events_api", payload)
    socket_slack.standin.wait_for_posts(in_thread(channel, root), timeout=REPLY_WAIT)
    socket_slack.send("interactive", click_payload(channel, root, '/compare{"framework": ["keras", "pytorch"]}'))
    second = socket_slack.standin.wait_for_posts(in_thread(channel, root), count=2, timeout=REPLY_WAIT)[1]
    assert "Keras" in second["text"] and "PyTorch" in second["text"]
    assert len(socket_slack.settled_posts(channel, root)) == 2


@pytest.mark.e2e
def test_socket_mode_ignores_the_bots_own_messages(socket_slack):
    channel = new_channel("D")
    own, ts = direct_message_payload(channel, "Keras is a high-level API.", bot_id=BOT_ID, user=BOT_USER_ID)
    socket_slack.send("events_api", own)
    control, control_ts = direct_message_payload(channel, "What is Keras?")
    socket_slack.send("events_api", control)
    assert socket_slack.standin.wait_for_posts(in_thread(channel, control_ts), timeout=REPLY_WAIT)
    assert socket_slack.settled_posts(channel, ts) == []


@pytest.mark.e2e
def test_assistant_thread_in_spanish_greeting_prompts_status_and_title_from_the_first_question(socket_slack):
    standin, channel, thread_ts = socket_slack.standin, new_channel("D"), new_ts()
    socket_slack.send("events_api", event_payload(assistant_thread_started(channel, thread_ts, user=SPANISH_USER)))
    [greeting] = standin.wait_for_posts(in_thread(channel, thread_ts), timeout=REPLY_WAIT)
    assert greeting["text"] == channel_text("assistant_greeting", "es") and not has_feedback_buttons(greeting)
    [prompts] = standin.calls_to("assistant.threads.setSuggestedPrompts", in_assistant_thread(channel, thread_ts))
    assert prompts["prompts"] == channel_entries("suggested_prompts", "es") and 3 <= len(prompts["prompts"]) <= 4
    for count, question in enumerate(["¿Quién desarrolló TensorFlow?", "¿Qué es PyTorch?"], start=2):
        payload, _ = direct_message_payload(channel, question, user=SPANISH_USER, thread_ts=thread_ts)
        socket_slack.send("events_api", payload)
        answer = standin.wait_for_posts(in_thread(channel, thread_ts), count=count, timeout=REPLY_WAIT)[-1]
        assert has_feedback_buttons(answer)
        # the status is cleared after the answer is posted: wait for it, so the statuses come in this order
        standin.wait_for_calls("assistant.threads.setStatus", in_assistant_thread(channel, thread_ts), 2 * (count - 1))
    socket_slack.settled_posts(channel, thread_ts)
    titles = standin.calls_to("assistant.threads.setTitle", in_assistant_thread(channel, thread_ts))
    assert [title["title"] for title in titles] == ["¿Quién desarrolló TensorFlow?"]
    statuses = standin.calls_to("assistant.threads.setStatus", in_assistant_thread(channel, thread_ts))
    assert [status["status"] for status in statuses] == [channel_text("thinking", "es"), ""] * 2


@pytest.mark.e2e
def test_a_click_on_an_answers_thumbs_reaches_rasa_as_a_rating_in_the_threads_conversation(socket_slack):
    channel = new_channel()
    payload, root = mention_payload(channel, "What is Keras?")
    socket_slack.send("events_api", payload)
    [answer] = socket_slack.standin.wait_for_posts(in_thread(channel, root), timeout=REPLY_WAIT)
    assert has_feedback_buttons(answer)
    socket_slack.send("interactive", feedback_payload(channel, root, "down"))
    [question, rating] = socket_slack.user_events(conversation_id(channel, root))
    assert rating["text"] == '/rate_answer{"rating": "down"}'
    assert rating["metadata"]["rated_message_ts"] and rating["metadata"]["thread_id"] == root
    apology = channel_text("unavailable", "en")
    assert all(post["text"] != apology for post in socket_slack.standin.posts(in_thread(channel, root)))
