"""The REST channel: POST /webhooks/rest/webhook with {"sender": "...", "message": "..."}, every request checked.

Rasa's RestInput hands whatever arrives to the bot (a missing sender becomes the shared conversation
"default", a number as message crashes the turn) and answers silence when the action server fails. This
channel parses the body itself and answers, in order:

- 413 with {"error": ...} when the body is larger than any message could need (see `body_limit`); a body
  declared larger than 1 MiB is refused by Sanic itself, before it is read (SERVER_BODY_CAP_BYTES);
- 400 with {"error": ...} for a body that is not UTF-8, not JSON, not an object, or whose `sender`, `message`
  or `metadata` is missing or of the wrong type;
- 429 with Retry-After and the usual reply list holding a polite refusal when the sender is over RATE_LIMIT;
- 200 with the usual reply list: a polite refusal for an empty or too long message (MAX_MESSAGE_CHARS), else
  the bot's replies, or an apology when the bot produced none (the action server is down or too slow).

Refusals and apologies are in the user's language (bot/channels/replies.py). `?stream=true` still works: each
reply (or refusal, or apology) is written as one JSON line as soon as it exists. The client's own
`input_channel` field is ignored: a REST message is always from the "rest" channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import InputGuard
from bot.channels.turn import OnNewMessage, Turn

logger = logging.getLogger(__name__)

Reply = dict[str, Any]

MAX_SENDER_CHARS = 128
# Worst case of one character in JSON: an emoji written as two \uXXXX escapes.
ESCAPED_BYTES_PER_CHAR = 12
# Room for the sender, metadata and whitespace around the message.
BODY_SLACK_BYTES = 256 * 1024
# Sanic reads a whole body (up to its own 100 MB default) before any handler runs; bodies declared larger than
# this (or than the channel's own limit, if larger) are refused by Sanic with 413 before they are read.
SERVER_BODY_CAP_BYTES = 2**20
SENDER = re.compile(rf"[^\x00-\x1f\x7f-\x9f\ud800-\udfff]{{1,{MAX_SENDER_CHARS}}}")
EXAMPLE = '{"sender": "<conversation id>", "message": "<text>"}'


def body_limit(max_chars: int) -> int:
    """The largest body a message of `max_chars` characters can need, however it is escaped, plus room."""
    return ESCAPED_BYTES_PER_CHAR * max_chars + BODY_SLACK_BYTES


class BadRequest(Exception):
    """A request the channel cannot read; `message` is one sentence for the client (and the log)."""

    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class RestRequest:
    sender: str
    text: str
    metadata: dict[str, Any] | None


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def parse_request(body: bytes, limit: int) -> RestRequest:
    """The sender, text and metadata of a request body; raises BadRequest saying what is wrong."""
    if len(body) > limit:
        raise BadRequest(f"The request body is larger than {limit} bytes.", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The request body is not valid UTF-8.") from None
    try:
        data = json.loads(decoded, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise BadRequest(f"The request body is not valid JSON; send {EXAMPLE}.") from None
    if not isinstance(data, dict):
        raise BadRequest(f"The request body must be a JSON object: {EXAMPLE}.")
    sender, text, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if not (isinstance(sender, str) and sender.strip() and SENDER.fullmatch(sender)):
        raise BadRequest(
            f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters, without control characters.'
        )
    if not isinstance(text, str):
        raise BadRequest('"message" must be a string holding the user\'s text.')
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest('"metadata", when given, must be a JSON object.')
    return RestRequest(sender, text, metadata)


class RestChannel(RestInput):
    """Rasa's REST channel at the same URL, with the checks and replies described above."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestChannel:
        return cls()

    def __init__(self, guard: InputGuard | None = None) -> None:
        self.guard = guard or InputGuard.from_env()
        self.body_limit = body_limit(self.guard.max_chars)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        rest = Blueprint("rest_webhook", __name__)

        @rest.listener("before_server_start")
        async def cap_request_bodies(app: Any, _loop: Any) -> None:
            cap = max(SERVER_BODY_CAP_BYTES, self.body_limit)
            app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, cap)  # SANIC_REQUEST_MAX_SIZE may be lower

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        return rest

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        try:
            parsed = parse_request(request.body, self.body_limit)
        except BadRequest as error:
            logger.info("Refused a REST request from %s (%d): %s", request.ip, error.status, error.message)
            return response.json({"error": error.message}, status=error.status)
        agent = request.app.ctx.agent
        stream = rasa.utils.endpoints.bool_arg(request, "stream", default=False)
        turn = Turn(self.name(), agent, parsed.sender, parsed.metadata)
        verdict, said = await turn.screen(self.guard, parsed.text)
        if said is not None:
            reply = {"recipient_id": parsed.sender, "text": said}
            if verdict.refusal == "rate_limited":
                headers = {"Retry-After": str(verdict.values["retry_after"])}
                return _replies([reply], stream, HTTPStatus.TOO_MANY_REQUESTS, headers)
            return _replies([reply], stream)
        text = verdict.text or ""
        if stream:
            return response.stream(self._streamed(on_new_message, turn, text), content_type="text/event-stream")
        collector = CollectingOutputChannel()

        async def apologise(said: str) -> None:
            collector.messages.append({"recipient_id": parsed.sender, "text": said})

        await turn.hand_to_rasa(on_new_message, text, collector, lambda: len(collector.messages), apologise)
        return response.json(collector.messages)

    def _streamed(self, on_new_message: OnNewMessage, turn: Turn, text: str) -> Callable[[Any], Awaitable[None]]:
        """Writes each reply as one JSON line as soon as the bot sends it; the apology if it sent none."""

        async def write(stream: Any) -> None:
            queue: asyncio.Queue = asyncio.Queue()

            async def apologise(said: str) -> None:
                await queue.put({"recipient_id": turn.sender_id, "text": said})

            async def run() -> None:
                # Counted as Rasa puts them, so the count is right even before the writer has caught up.
                output = CountingQueueOutput(queue)
                await turn.hand_to_rasa(on_new_message, text, output, lambda: output.count, apologise)
                await queue.put(None)

            task = asyncio.create_task(run())
            while (reply := await queue.get()) is not None:
                await stream.write(json.dumps(reply) + "\n")
            await task

        return write


class CountingQueueOutput(QueueOutputChannel):
    """Rasa's queue output, counting the replies it was given."""

    def __init__(self, queue: asyncio.Queue) -> None:
        super().__init__(queue)
        self.count = 0

    async def _persist_message(self, message: dict[str, Any]) -> None:
        self.count += 1
        await super()._persist_message(message)


def _replies(
    replies: list[Reply],
    stream: bool,
    status: HTTPStatus = HTTPStatus.OK,
    headers: dict[str, str] | None = None,
) -> HTTPResponse:
    """The reply list as one JSON array, or as JSON lines when the client asked for a stream."""
    if stream:
        lines = "".join(json.dumps(reply) + "\n" for reply in replies)
        return response.text(lines, status=status, headers=headers, content_type="text/event-stream")
    return response.json(replies, status=status, headers=headers)
