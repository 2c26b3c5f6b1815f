"""The Slack channel: its pure parts, then end to end with the real servers and a stand-in for Slack's Web API.

The end-to-end tests sign requests the way Slack does, post them to /webhooks/slack/webhook, and read what
the bot sent to the stand-in (tests/slack_standin.py). Each case uses its own channel and timestamps.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from bot import serve
from bot.channels.slack import (
    CHANNEL_CLASS,
    RecentKeys,
    clean_text,
    conversation_id,
    credentials_from_env,
    parse_conversation_id,
    question_from_click,
    question_from_event,
    signature_problem,
    slack_signature,
)
from tests.e2e.servers import running_servers, wait_until_slack_idle
from tests.slack_standin import BOT_ID, BOT_USER_ID, SlackStandIn

RASA_PORT, ACTIONS_PORT = 16005, 16055
RASA = f"http://localhost:{RASA_PORT}"
WEBHOOK = f"{RASA}/webhooks/slack/webhook"
TOKEN = "fake-bot-token-for-tests"
SECRET = "signing-secret-for-tests-only"
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


def test_mentions_and_slack_markup_are_cleaned_from_typed_text():
    assert clean_text("<@UBOT> PyTorch vs TensorFlow &amp; Keras?", {"UBOT"}) == "PyTorch vs TensorFlow & Keras?"
    assert clean_text("see <https://keras.io|keras.io> <@UBOT>", {"UBOT"}) == "see keras.io"


def test_conversation_ids_and_recent_keys():
    assert parse_conversation_id(conversation_id("C1", "1.2")) == ("C1", "1.2")
    assert parse_conversation_id("U123") is None
    recent = RecentKeys(limit=2)
    assert recent.first_time("a") and not recent.first_time("a")
    assert recent.first_time("b") and recent.first_time("c") and recent.first_time("a")


def test_credentials_from_env_needs_both_secrets_and_writes_none():
    assert credentials_from_env({"SLACK_BOT_TOKEN": TOKEN}) is None
    assert credentials_from_env({"SLACK_SIGNING_SECRET": SECRET}) is None
    entry = credentials_from_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET})
    assert entry == {CHANNEL_CLASS: {"slack_api_url": "https://slack.com/api/"}}
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
    envelope = {
        "token": "unused-verification-token",
        "team_id": "TTEST",
        "api_app_id": "ATEST",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "TTEST", "user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }
    return json.dumps(envelope).encode()


def mention(channel: str, text: str, thread_ts: str | None = None) -> tuple[bytes, str]:
    ts = new_ts()
    event = {"type": "app_mention", "user": USER, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts, "channel": channel}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event_body({**event, "event_ts": ts}), ts


def direct_message(channel: str, text: str, **extra: Any) -> tuple[bytes, str]:
    ts = new_ts()
    event = {"type": "message", "channel_type": "im", "user": USER, "text": text, "ts": ts, "channel": channel}
    return event_body({**event, "event_ts": ts, **extra}), ts


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
    return [
        element["text"]
        for block in blocks
        if block["type"] == "rich_text"
        for preformatted in block["elements"]
        for element in preformatted["elements"]
    ]


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
