"""The Slack channel: @mentions and direct messages answered in their thread, one conversation per thread.

Built on Rasa's SlackInput/SlackBot, with what this bot needs and Rasa 3.6's connector lacks: a settable
Web API address (SLACK_API_URL), each reply posted whole as Block Kit (Rasa splits text on blank lines,
which breaks code), 401 for unsigned requests, 400 for signed ones that are not Slack events, every retry
acknowledged with X-Slack-No-Retry and never answered twice, and no answers to bots, edits or other message
subtypes. The text passes the channels' guard (bot/channels/guard.py: control characters removed, a polite
reply to an empty or too long message; no rate limit, Slack limits the pace itself), and a turn that produced
no reply (the action server down or too slow) is answered with an apology in the user's language.

Configured from the environment (see `credentials_from_env`); the secrets never go into a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.guard import InputGuard
from bot.channels.replies import channel_says, refusal
from bot.channels.slack_render import render_reply

logger = logging.getLogger(__name__)

CHANNEL_CLASS = "bot.channels.slack.SlackChannel"
TOKEN_VARIABLE, SECRET_VARIABLE, API_URL_VARIABLE = "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"
DEFAULT_API_URL = "https://slack.com/api/"
SIGNATURE_WINDOW_SECONDS = 5 * 60
REMEMBERED_KEYS = 10_000
CONVERSATION_PREFIX = "slack"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
UNREADABLE_BODY = "The body is neither a Slack event (a JSON object) nor an interaction (a form with a JSON payload)."


def _mapping(value: Any) -> Mapping[str, Any]:
    """`value` if it is a JSON object, else an empty one: a field of the wrong type counts as missing."""
    return value if isinstance(value, Mapping) else {}


def _strings(*values: Any) -> bool:
    return all(isinstance(value, str) and value for value in values)


def credentials_from_env(environ: Mapping[str, str] = os.environ) -> dict[str, Any] | None:
    """The credentials.yml entry that enables Slack, or None when the token or the signing secret is unset.

    The entry holds no secret: the Rasa server reads both from its environment when it starts.
    """
    if not (environ.get(TOKEN_VARIABLE) and environ.get(SECRET_VARIABLE)):
        return None
    return {CHANNEL_CLASS: {"slack_api_url": environ.get(API_URL_VARIABLE) or DEFAULT_API_URL}}


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: "v0=" + hex HMAC-SHA256 of "v0:{timestamp}:{body}"."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signature_problem(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float) -> str | None:
    """Why a request is not proven to come from Slack, or None when it is (said without any secret)."""
    if not timestamp or not signature:
        return "missing signature headers"
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "malformed timestamp"
    if abs(now - sent_at) > SIGNATURE_WINDOW_SECONDS:
        return "timestamp outside the 5-minute window"
    if not hmac.compare_digest(slack_signature(secret, timestamp, body).encode(), signature.encode()):
        return "signature does not match"
    return None


@dataclass(frozen=True)
class Question:
    """A user message to answer: where it came from, its thread, and whether it is a button click."""

    text: str
    user: str
    channel: str
    thread_ts: str
    key: str
    clicked: bool = False
    bot_user_ids: frozenset[str] = frozenset()

    @property
    def conversation_id(self) -> str:
        return conversation_id(self.channel, self.thread_ts)


def conversation_id(channel: str, thread_ts: str) -> str:
    """One Rasa conversation per Slack thread, whoever writes in it."""
    return f"{CONVERSATION_PREFIX}:{channel}:{thread_ts}"


def parse_conversation_id(value: str) -> tuple[str, str] | None:
    """(channel, thread_ts) back from a conversation id, e.g. for messages Rasa sends on its own."""
    prefix, _, rest = value.partition(":")
    channel, _, thread_ts = rest.partition(":")
    return (channel, thread_ts) if prefix == CONVERSATION_PREFIX and channel and thread_ts else None


def question_from_event(event: Mapping[str, Any], bot_user_ids: Collection[str] = ()) -> Question | None:
    """The question in an app_mention or a direct message; None for bots, edits, other subtypes and the rest."""
    kind = event.get("type")
    if not (kind == "app_mention" or (kind == "message" and event.get("channel_type") == "im")):
        return None
    if event.get("subtype") or event.get("bot_id") or event.get("bot_profile"):
        return None
    user, channel, ts, text = (event.get(name) for name in ("user", "channel", "ts", "text"))
    if not _strings(user, channel, ts, text) or user in bot_user_ids:
        return None
    thread_ts = event.get("thread_ts") if _strings(event.get("thread_ts")) else ts
    return Question(text, user, channel, thread_ts, key=f"message:{channel}:{ts}", bot_user_ids=frozenset(bot_user_ids))


def question_from_click(payload: Mapping[str, Any]) -> Question | None:
    """A button click (block_actions) as the user's message with the button's payload, in the button's thread."""
    actions = payload.get("actions")
    action = _mapping(actions[0]) if isinstance(actions, list) and actions else {}
    if payload.get("type") != "block_actions" or action.get("type") != "button":
        return None
    value = action.get("value")
    container, message = _mapping(payload.get("container")), _mapping(payload.get("message"))
    user = _mapping(payload.get("user")).get("id")
    channel = container.get("channel_id") or _mapping(payload.get("channel")).get("id")
    thread_ts = message.get("thread_ts") or container.get("thread_ts") or message.get("ts")
    thread_ts = thread_ts or container.get("message_ts")
    if not _strings(value, user, channel, thread_ts):
        return None
    click_id = action.get("action_ts") or payload.get("trigger_id") or ""
    return Question(value, user, channel, thread_ts, key=f"click:{channel}:{user}:{click_id}", clicked=True)


def bot_user_ids_in(body: Mapping[str, Any]) -> set[str]:
    """The bot's own user id as the event envelope states it (no API call needed)."""
    authorizations = body.get("authorizations")
    items = [_mapping(item) for item in authorizations] if isinstance(authorizations, list) else []
    return {item["user_id"] for item in items if item.get("is_bot") and _strings(item.get("user_id"))}


def clean_text(text: str, bot_user_ids: Collection[str]) -> str:
    """The typed text without the bot's @mention and Slack's link markup and escapes."""
    return html.unescape(SlackInput._sanitize_user_message(text, list(bot_user_ids)))


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """Events come as JSON; interactivity as a form whose `payload` field is JSON. Raises ValueError if neither."""
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            payload = parse_qs(body.decode("utf-8", errors="strict")).get("payload")
            if not payload:
                raise ValueError("form without payload")
            parsed = json.loads(payload[0])
        else:
            parsed = json.loads(body)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(parsed, dict):
        raise ValueError("not a JSON object")
    return parsed


class RecentKeys:
    """Keys seen lately, the oldest forgotten first: enough to never answer one Slack message twice."""

    def __init__(self, limit: int = REMEMBERED_KEYS) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._limit = limit

    def first_time(self, key: str) -> bool:
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self._limit:
            self._keys.popitem(last=False)
        return True


def web_client(token: str, api_url: str, proxy: str | None = None) -> AsyncWebClient:
    """Slack's Web API client at a settable address, retrying when Slack says to slow down."""
    client = AsyncWebClient(token=token, base_url=api_url, proxy=proxy)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


class SlackThreadBot(SlackBot):
    """Rasa's Slack output, posting each reply whole (Block Kit) in the question's thread."""

    def __init__(
        self, token: str, channel: str | None, thread_ts: str | None, api_url: str, proxy: str | None = None
    ) -> None:
        super().__init__(token, channel, thread_ts, proxy)
        self.client = web_client(token, api_url, proxy)
        self.sent = 0

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        """Every post goes to the thread; `as_user` (Rasa sets it) is for classic apps only, so it is dropped."""
        destination = parse_conversation_id(channel)
        channel, thread_ts = destination if destination else (channel, self.thread_id)
        kwargs.pop("as_user", None)
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        await self.client.chat_postMessage(channel=channel, **kwargs)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_reply(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_reply(recipient_id, text, buttons)

    async def _send_reply(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        self.sent += 1
        for message in render_reply(text or "", buttons):
            await self._post_message(
                self.slack_channel or recipient_id,
                text=message["text"],
                blocks=message["blocks"],
                unfurl_links=False,
                unfurl_media=False,
            )


class SlackChannel(SlackInput):
    """Rasa's Slack input with thread conversations, strict signatures, and retries never answered twice."""

    def __init__(self, token: str, signing_secret: str, api_url: str = DEFAULT_API_URL, proxy: str | None = None):
        if not (token and signing_secret):
            raise InvalidConfigException(f"The Slack channel needs {TOKEN_VARIABLE} and {SECRET_VARIABLE} to be set.")
        super().__init__(token, proxy=proxy, use_threads=True, slack_signing_secret=signing_secret)
        self.api_url = api_url
        self._recent = RecentKeys()
        self._bot_user_id: str | None = None
        self.guard = InputGuard.from_env(rate_limited=False)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SlackChannel:
        """Secrets from the entry if it has them (`${SLACK_BOT_TOKEN}` in a credentials file), else the environment."""
        credentials = credentials or {}
        return cls(
            token=credentials.get("slack_token") or os.environ.get(TOKEN_VARIABLE, ""),
            signing_secret=credentials.get("slack_signing_secret") or os.environ.get(SECRET_VARIABLE, ""),
            api_url=credentials.get("slack_api_url") or os.environ.get(API_URL_VARIABLE) or DEFAULT_API_URL,
            proxy=credentials.get("proxy"),
        )

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> SlackThreadBot:
        return SlackThreadBot(self.slack_token, channel, thread_id, self.api_url, self.proxy)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            # `answering`: events accepted and still being answered (0 = every accepted event is finished).
            return response.json({"status": "ok", "answering": len(self._background_tasks)})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self._handle(request, on_new_message)

        return slack_webhook

    async def _handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Check the signature first; then answer Slack at once and the user in the background."""
        problem = signature_problem(
            self.slack_signing_secret,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            request.body,
            time.time(),
        )
        if problem:
            logger.warning("Rejected a request to the Slack webhook from %s: %s.", request.ip, problem)
            return response.text("Invalid Slack signature.", status=HTTPStatus.UNAUTHORIZED)
        try:
            body = parse_body(request.body, request.headers.get("content-type", ""))
        except ValueError as error:
            logger.warning("Refused a signed request to the Slack webhook from %s: %s.", request.ip, error)
            return response.text(UNREADABLE_BODY, status=HTTPStatus.BAD_REQUEST)
        if body.get("type") == "url_verification":
            challenge = body.get("challenge")
            return response.json({"challenge": challenge if isinstance(challenge, str) else ""})
        retry = request.headers.get("X-Slack-Retry-Num")
        if retry:
            logger.info("Slack retry #%s (%s).", retry, request.headers.get("X-Slack-Retry-Reason", "no reason given"))
        question = self._question(body)
        if question and self._recent.first_time(question.key):
            self._answer_later(on_new_message, question, getattr(request.app.ctx, "agent", None))
        return response.text("", headers={"X-Slack-No-Retry": "1"} if retry else None)

    def _question(self, body: dict[str, Any]) -> Question | None:
        """The question to answer, unless this delivery was already seen (a retry) or needs no answer."""
        if body.get("type") == "block_actions":
            return question_from_click(body)
        if body.get("type") != "event_callback":
            return None
        event_id = body.get("event_id")
        if isinstance(event_id, str) and event_id and not self._recent.first_time(f"event:{event_id}"):
            return None
        known_bots = bot_user_ids_in(body) | ({self._bot_user_id} if self._bot_user_id else set())
        return question_from_event(_mapping(body.get("event")), known_bots)

    def _answer_later(self, on_new_message: OnNewMessage, question: Question, agent: Any) -> None:
        """Slack wants its answer within 3 seconds; Rasa may take longer, so it runs as a task."""
        task = asyncio.create_task(self._answer(on_new_message, question, agent))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    async def _answer(self, on_new_message: OnNewMessage, question: Question, agent: Any) -> None:
        """One turn in the question's thread: a polite refusal, or the bot's answer, or else the apology."""
        bot_user_ids = question.bot_user_ids | await self._bot_user_ids()
        if question.user in bot_user_ids:
            return
        text = question.text if question.clicked else clean_text(question.text, bot_user_ids)
        output = self.get_output_channel(question.channel, question.thread_ts)
        verdict = self.guard.check(question.conversation_id, text)
        if not verdict.accepted:
            await self._say(output, question, await refusal(agent, question.conversation_id, verdict, text))
            return
        message = UserMessage(
            verdict.text,
            output,
            question.conversation_id,
            input_channel=self.name(),
            metadata={"out_channel": question.channel, "thread_id": question.thread_ts, "users": [question.user]},
        )
        try:
            await on_new_message(message)
        except Exception:
            logger.exception(
                "Could not answer a Slack message in %s (thread %s).", question.channel, question.thread_ts
            )
        if output.sent == 0:
            logger.warning(
                "No reply in Slack thread %s (is the action server up?); sent the apology.", question.thread_ts
            )
            said = await channel_says("unavailable", agent, question.conversation_id, text=verdict.text)
            await self._say(output, question, said)

    async def _say(self, output: SlackThreadBot, question: Question, text: str) -> None:
        """The channel's own words in the question's thread; a Slack failure is logged, never raised."""
        try:
            await output.send_text_message(question.conversation_id, text)
        except Exception as error:
            logger.warning("Could not post to Slack thread %s (%s).", question.thread_ts, type(error).__name__)

    async def _bot_user_ids(self) -> set[str]:
        """The bot's own user id from auth.test, asked once; without it mentions still work via the event."""
        if self._bot_user_id is None:
            try:
                identity = await web_client(self.slack_token, self.api_url, self.proxy).auth_test()
                self._bot_user_id = identity.get("user_id")
            except Exception as error:
                logger.warning(
                    "Slack auth.test failed (%s); will ask again with the next message.", type(error).__name__
                )
        return {self._bot_user_id} if self._bot_user_id else set()
