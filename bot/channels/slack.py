"""The Slack channel: @mentions and direct messages answered in their thread, one conversation per thread.

Built on Rasa's SlackInput/SlackBot, with what this bot needs and Rasa 3.6's connector lacks: a settable
Web API address (SLACK_API_URL), each reply posted whole as Block Kit (Rasa splits text on blank lines,
which breaks code), 401 for unsigned requests, 400 for signed ones that are not Slack events, every retry
acknowledged with X-Slack-No-Retry and never answered twice, and no answers to bots, edits or other message
subtypes. The text passes the channels' guard (bot/channels/guard.py: control characters removed, a polite
reply to an empty or too long message; no rate limit, Slack limits the pace itself), and a turn that produced
no reply (the action server down or too slow) is answered with an apology in the user's language.

Two ways in, one way of answering: Slack's HTTP events endpoint (/webhooks/slack/webhook, with the signing
secret) and Socket Mode (bot/channels/slack_socket.py, with the app-level token: no public address needed)
both hand the payload to `SlackChannel.receive`. Answers carry thumbs up / down; a click reaches Rasa as the
user's `/rate_answer{"rating": "up"}` in the answer's thread. Slack's assistant features
(bot/channels/slack_assistant.py): a new assistant thread is greeted with suggested prompts, a question shows
"is thinking…" until its answer, and the first question names its thread.

Configured from the environment (bot/channels/slack_settings.py); the secrets never go into a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Collection, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels import slack_assistant
from bot.channels.guard import InputGuard
from bot.channels.replies import channel_text, reply_language
from bot.channels.slack_assistant import AssistantThread, assistant_thread_from_event
from bot.channels.slack_render import FEEDBACK_ACTION, RATINGS, Block, feedback_block, render_reply
from bot.channels.slack_settings import (
    API_URL_VARIABLE,
    APP_TOKEN_PREFIX,
    APP_TOKEN_VARIABLE,
    DEFAULT_API_URL,
    SECRET_VARIABLE,
    TOKEN_VARIABLE,
)
from bot.channels.slack_socket import SocketModeConnection
from bot.channels.turn import OnNewMessage, Turn, guarded_turn
from knowledge import settings
from knowledge.text import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)

SIGNATURE_WINDOW_SECONDS = 5 * 60
REMEMBERED_KEYS = 10_000
CONVERSATION_PREFIX = "slack"

UNREADABLE_BODY = "The body is neither a Slack event (a JSON object) nor an interaction (a form with a JSON payload)."


def _mapping(value: Any) -> Mapping[str, Any]:
    """`value` if it is a JSON object, else an empty one: a field of the wrong type counts as missing."""
    return value if isinstance(value, Mapping) else {}


def _strings(*values: Any) -> bool:
    return all(isinstance(value, str) and value for value in values)


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
    """A user message to answer: where it came from, its thread, whether it is a button click or a rating."""

    text: str
    user: str
    channel: str
    thread_ts: str
    key: str
    clicked: bool = False
    bot_user_ids: frozenset[str] = frozenset()
    rating: str | None = None  # "up" or "down": a click on an answer's feedback buttons
    rated_ts: str | None = None  # the rated answer's message

    @property
    def typed(self) -> bool:
        return not self.clicked and self.rating is None

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


def rating_message(rating: str) -> str:
    """What a click on the feedback buttons says to Rasa: the `rate_answer` intent with the rating."""
    return "/rate_answer" + json.dumps({"rating": rating})


def question_from_click(payload: Mapping[str, Any]) -> Question | None:
    """A button click (block_actions) as the user's message with the button's payload, in the button's thread;
    a click on an answer's feedback buttons as `rating_message`."""
    actions = payload.get("actions")
    action = _mapping(actions[0]) if isinstance(actions, list) and actions else {}
    if payload.get("type") != "block_actions" or action.get("type") not in ("button", "feedback_buttons"):
        return None
    rating = None
    if action.get("type") == "feedback_buttons":
        rating = action.get("value")
        if action.get("action_id") != FEEDBACK_ACTION or rating not in RATINGS:
            return None
    value = rating_message(rating) if rating else action.get("value")
    container, message = _mapping(payload.get("container")), _mapping(payload.get("message"))
    user = _mapping(payload.get("user")).get("id")
    channel = container.get("channel_id") or _mapping(payload.get("channel")).get("id")
    thread_ts = message.get("thread_ts") or container.get("thread_ts") or message.get("ts")
    thread_ts = thread_ts or container.get("message_ts")
    if not _strings(value, user, channel, thread_ts):
        return None
    click_id = action.get("action_ts") or payload.get("trigger_id") or ""
    key = f"click:{channel}:{user}:{click_id}"
    if rating:
        rated_ts = container.get("message_ts") or message.get("ts")
        return Question(value, user, channel, thread_ts, key, rating=rating, rated_ts=rated_ts)
    return Question(value, user, channel, thread_ts, key=key, clicked=True)


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

    def discard(self, key: str) -> bool:
        """Forget `key`; whether it was remembered."""
        return self._keys.pop(key, False) is None


def web_client(token: str, api_url: str, proxy: str | None = None) -> AsyncWebClient:
    """Slack's Web API client at a settable address, retrying when Slack says to slow down."""
    client = AsyncWebClient(token=token, base_url=api_url, proxy=proxy)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


class SlackThreadBot(SlackBot):
    """Rasa's Slack output, posting each reply whole (Block Kit) in the question's thread.

    Rasa's own replies (answers) end with `feedback` (thumbs up / down) when it is set; the channel's own words
    (`say`: greetings, refusals, the apology) never do.
    """

    def __init__(
        self, token: str, channel: str | None, thread_ts: str | None, api_url: str, proxy: str | None = None
    ) -> None:
        super().__init__(token, channel, thread_ts, proxy)
        self.client = web_client(token, api_url, proxy)
        self.sent = 0
        self.feedback: Block | None = None

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        """Every post goes to the thread; `as_user` (Rasa sets it) is for classic apps only, so it is dropped."""
        destination = parse_conversation_id(channel)
        channel, thread_ts = destination if destination else (channel, self.thread_id)
        kwargs.pop("as_user", None)
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        await self.client.chat_postMessage(channel=channel, **kwargs)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_reply(recipient_id, text, [], self.feedback)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_reply(recipient_id, text, buttons, self.feedback)

    async def say(self, recipient_id: str, text: str) -> None:
        await self._send_reply(recipient_id, text, [], None)

    async def _send_reply(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], feedback: Block | None
    ) -> None:
        self.sent += 1
        for message in render_reply(text or "", buttons, feedback):
            await self._post_message(
                self.slack_channel or recipient_id,
                text=message["text"],
                blocks=message["blocks"],
                unfurl_links=False,
                unfurl_media=False,
            )


class SlackChannel(SlackInput):
    """Rasa's Slack input with thread conversations, strict signatures, retries never answered twice, and
    Socket Mode when an app-level token is given."""

    def __init__(
        self,
        token: str,
        signing_secret: str,
        api_url: str = DEFAULT_API_URL,
        proxy: str | None = None,
        app_token: str = "",
    ):
        if not (token and (signing_secret or app_token)):
            raise InvalidConfigException(
                f"The Slack channel needs {TOKEN_VARIABLE} and {SECRET_VARIABLE} (HTTP events) "
                f"or {APP_TOKEN_VARIABLE} (Socket Mode) to be set."
            )
        if app_token and not app_token.startswith(APP_TOKEN_PREFIX):
            raise InvalidConfigException(
                f"{APP_TOKEN_VARIABLE} must be an app-level token ({APP_TOKEN_PREFIX}...): create one under Basic "
                "Information > App-Level Tokens with the connections:write scope."
            )
        super().__init__(token, proxy=proxy, use_threads=True, slack_signing_secret=signing_secret)
        self.api_url = api_url
        self.app_token = app_token
        self._recent = RecentKeys()
        self._bot_user_id: str | None = None
        self._untitled = RecentKeys()  # assistant threads whose first question is still to name them
        # Turns under way per thread: the last one to finish clears the status, so a quick second question keeps
        # its "thinking…" when the first answer arrives.
        self._thinking: dict[str, int] = {}
        self.guard = InputGuard.from_env(rate_limited=False)

    def _validate_credentials(self) -> None:
        """Rasa's check demands a signing secret; Socket Mode needs none (`__init__` checks what each mode needs)."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SlackChannel:
        """Secrets from the entry if it has them (`${SLACK_BOT_TOKEN}` in a credentials file), else the environment."""
        credentials = credentials or {}
        return cls(
            token=credentials.get("slack_token") or settings.value(TOKEN_VARIABLE),
            signing_secret=credentials.get("slack_signing_secret") or settings.value(SECRET_VARIABLE),
            api_url=credentials.get("slack_api_url") or settings.value(API_URL_VARIABLE),
            proxy=credentials.get("proxy"),
            app_token=credentials.get("slack_app_token") or settings.value(APP_TOKEN_VARIABLE),
        )

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> SlackThreadBot:
        return SlackThreadBot(self.slack_token, channel, thread_id, self.api_url, self.proxy)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            # `answering`: events accepted and still being answered (0 = every accepted event is finished).
            return response.json({"status": "ok", "answering": len(self._background_tasks)})

        if self.slack_signing_secret:  # without it no request could be proven to come from Slack

            @slack_webhook.route("/webhook", methods=["POST"])
            async def webhook(request: Request) -> HTTPResponse:
                return await self._handle(request, on_new_message)

        if self.app_token:
            self._open_socket_mode(slack_webhook, on_new_message)
        return slack_webhook

    def _open_socket_mode(self, blueprint: Blueprint, on_new_message: OnNewMessage) -> None:
        """The Socket Mode connection lives as long as the server: opened once it serves, closed as it stops."""
        connection: SocketModeConnection | None = None

        @blueprint.listener("after_server_start")
        async def open_connection(app: Any, _: Any) -> None:
            nonlocal connection
            # The agent is looked up at each payload: Rasa may load another model while it runs.
            connection = SocketModeConnection(
                self.app_token,
                web_client(self.slack_token, self.api_url, self.proxy),
                lambda payload: self.receive(payload, on_new_message, getattr(app.ctx, "agent", None)),
            )
            await connection.start()

        @blueprint.listener("before_server_stop")
        async def close_connection(*_: Any) -> None:
            if connection:
                await connection.stop()

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
        self.receive(body, on_new_message, getattr(request.app.ctx, "agent", None))
        return response.text("", headers={"X-Slack-No-Retry": "1"} if retry else None)

    def receive(self, body: Mapping[str, Any], on_new_message: OnNewMessage, agent: Any) -> None:
        """Take one Slack payload (an event callback or a click), by whichever way it came, and answer it in the
        background. Returns at once: Slack wants its acknowledgement within 3 seconds; Rasa may take longer."""
        if body.get("type") == "event_callback":
            event_id = body.get("event_id")
            if isinstance(event_id, str) and event_id and not self._recent.first_time(f"event:{event_id}"):
                return  # a retry or redelivery of an event already taken
            event = _mapping(body.get("event"))
            thread = assistant_thread_from_event(event)
            if thread:
                self._untitled.first_time(conversation_id(thread.channel, thread.thread_ts))
                self._in_background(self._greet(thread))
                return
            known_bots = bot_user_ids_in(body) | ({self._bot_user_id} if self._bot_user_id else set())
            question = question_from_event(event, known_bots)
        elif body.get("type") == "block_actions":
            question = question_from_click(body)
        else:
            return
        if question and self._recent.first_time(question.key):
            self._in_background(self._answer(on_new_message, question, agent))

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    async def _greet(self, thread: AssistantThread) -> None:
        """A new assistant thread: a greeting and suggested prompts in the language of the user's Slack."""
        output = self.get_output_channel(thread.channel, thread.thread_ts)
        language = await slack_assistant.user_language(output.client, thread.user) or DEFAULT_LANGUAGE
        await slack_assistant.suggest_prompts(output.client, thread, language)
        await self._say(output, thread.thread_ts, channel_text("assistant_greeting", language))

    async def _answer(self, on_new_message: OnNewMessage, question: Question, agent: Any) -> None:
        """One turn in the question's thread: a polite refusal, or the bot's answer, or else the apology."""
        bot_user_ids = question.bot_user_ids | await self._bot_user_ids()
        if question.user in bot_user_ids:
            return
        text = clean_text(question.text, bot_user_ids) if question.typed else question.text
        output = self.get_output_channel(question.channel, question.thread_ts)
        metadata: dict[str, Any] = {
            "out_channel": question.channel,
            "thread_id": question.thread_ts,
            "users": [question.user],
        }
        if question.rating:
            metadata["rated_message_ts"] = question.rated_ts
        turn = Turn(self.name(), agent, question.conversation_id, metadata)
        client, channel, thread_ts = output.client, question.channel, question.thread_ts
        titled: list[asyncio.Future] = []

        async def say(text: str) -> None:
            await self._say(output, thread_ts, text)

        async def before(accepted: str) -> None:
            """The status and the rating buttons' labels come before the answer, so the language is told first
            (on a thread's first message that costs one more NLU parse of the text)."""
            language = await reply_language(agent, question.conversation_id, None, accepted)
            output.feedback = feedback_block(channel_text("rate_up", language), channel_text("rate_down", language))
            # The status shows before the turn starts (one call to Slack); the title is set beside the turn.
            self._thinking[question.conversation_id] = self._thinking.get(question.conversation_id, 0) + 1
            await slack_assistant.set_status(client, channel, thread_ts, channel_text("thinking", language))
            if question.typed and self._untitled.discard(question.conversation_id):
                titled.append(asyncio.ensure_future(slack_assistant.set_title(client, channel, thread_ts, accepted)))

        # A rating is stored by Rasa; it asks for no answer, so no status, no rating buttons and no apology.
        answering = not question.rating
        verdict = await guarded_turn(
            turn,
            self.guard,
            text,
            on_new_message,
            output,
            lambda: output.sent,
            say,
            before=before if answering else None,
            apologise=answering,
        )
        for future in titled:
            await future
        if answering and verdict.accepted and self._finished_thinking(question.conversation_id):
            await slack_assistant.set_status(client, channel, thread_ts, "")

    def _finished_thinking(self, conversation: str) -> bool:
        """One turn of this thread is done; True when it was the last one under way."""
        left = self._thinking.pop(conversation, 1) - 1
        if left:
            self._thinking[conversation] = left
        return not left

    async def _say(self, output: SlackThreadBot, thread_ts: str, text: str) -> None:
        """The channel's own words in the thread; a Slack failure is logged, never raised."""
        try:
            await output.say(output.slack_channel or "", text)
        except Exception as error:
            logger.warning("Could not post to Slack thread %s (%s).", thread_ts, type(error).__name__)

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
