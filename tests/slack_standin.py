"""A stand-in for Slack on 127.0.0.1: its Web API over HTTP, and Socket Mode over a real WebSocket.

Point the bot at it with SLACK_API_URL=<standin.api_url>. It records every Web API call and answers like
Slack: `auth.test` with the bot's identity, `users.info` with the user's locale (`locales`),
`apps.connections.open` with the URL of its own WebSocket server (`websockets`, the library Sanic uses), and
anything else with {"ok": true, "ts": ...}.

Socket Mode, as slack_sdk's client expects it (slack_sdk/socket_mode/request.py and its tests' mock server):
on connect the stand-in says `{"type": "hello", ...}`; `send_envelope` sends an `events_api` or `interactive`
envelope `{"envelope_id", "type", "payload", "accepts_response_payload", "retry_attempt", "retry_reason"}`;
what the bot sends back (`{"envelope_id": ...}`, the acknowledgement) is kept in `acks`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import websockets
from websockets.server import WebSocketServerProtocol

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "ATEST"


@dataclass
class Call:
    """One request to the stand-in: `path` like /api/chat.postMessage, `body` parsed from JSON, a form or the query."""

    path: str
    body: dict[str, Any]
    authorization: str | None
    content_type: str

    @property
    def method(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class SlackStandIn:
    """Runs in threads until `stop()`; `calls` holds what the bot sent to the Web API, in order."""

    calls: list[Call] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    locales: dict[str, str] = field(default_factory=dict)  # user id -> Slack locale, e.g. "es-ES"
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _timestamps: itertools.count = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _socket_server: Any = None
    _socket: WebSocketServerProtocol | None = None
    _socket_port: int = 0

    def start(self) -> SlackStandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, name="slack-standin", daemon=True).start()
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="slack-standin-socket", daemon=True).start()
        self._socket_server = asyncio.run_coroutine_threadsafe(self._open_socket_server(), self._loop).result(10)
        self._socket_port = self._socket_server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._loop:
            if self._socket_server:
                self._socket_server.close()
                asyncio.run_coroutine_threadsafe(self._socket_server.wait_closed(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)

    @property
    def api_url(self) -> str:
        assert self._server, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    @property
    def socket_url(self) -> str:
        assert self._socket_port, "not started"
        return f"ws://127.0.0.1:{self._socket_port}/link/?ticket=standin&app_id={APP_ID}"

    def record(self, call: Call) -> dict[str, Any]:
        """Keep the call and give Slack's answer to it."""
        with self._changed:
            self.calls.append(call)
            ts = f"{int(time.time())}.{next(self._timestamps):06d}"
            self._changed.notify_all()
        if call.method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "user": "advisor", "team_id": "TTEST"}
        if call.method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if call.method == "users.info":
            user = call.body.get("user", "")
            return {"ok": True, "user": {"id": user, "locale": self.locales.get(user, "en-US")}}
        return {"ok": True, "ts": ts, "channel": call.body.get("channel"), "message": {**call.body, "ts": ts}}

    def calls_to(self, method: str, predicate: Callable[[dict[str, Any]], bool] = lambda body: True) -> list[dict]:
        """Bodies of the calls to Web API `method` (e.g. "chat.postMessage") so far that match `predicate`."""
        with self._changed:
            calls = list(self.calls)
        return [call.body for call in calls if call.method == method and predicate(call.body)]

    def posts(self, predicate: Callable[[dict[str, Any]], bool] = lambda body: True) -> list[dict[str, Any]]:
        """Bodies of the chat.postMessage calls so far that match `predicate`."""
        return self.calls_to("chat.postMessage", predicate)

    def wait_for_calls(
        self, method: str, predicate: Callable[[dict[str, Any]], bool], count: int = 1, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """The matching calls once there are at least `count` of them (or what there is after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.calls_to(method, predicate)) >= count, timeout)
        return self.calls_to(method, predicate)

    def wait_for_posts(
        self, predicate: Callable[[dict[str, Any]], bool], count: int = 1, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """The matching posts once there are at least `count` of them (or what there is after `timeout`)."""
        return self.wait_for_calls("chat.postMessage", predicate, count, timeout)

    # --- Socket Mode ------------------------------------------------------------------------------------------

    def wait_until_connected(self, timeout: float = 60.0) -> bool:
        """Whether a Socket Mode client is connected (after `hello`) within `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: self._socket is not None and self._socket.open, timeout)

    def send_envelope(self, kind: str, payload: dict[str, Any], retry_attempt: int = 0, retry_reason: str = "") -> str:
        """Send one envelope (`events_api` or `interactive`) to the connected client; returns its envelope_id."""
        assert self._socket is not None and self._loop, "no Socket Mode client is connected"
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": False,
        }
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        asyncio.run_coroutine_threadsafe(self._socket.send(json.dumps(envelope)), self._loop).result(timeout=10)
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any] | None:
        """The bot's acknowledgement of `envelope_id`, or None if none came within `timeout`."""

        def ack() -> dict[str, Any] | None:
            return next((item for item in self.acks if item.get("envelope_id") == envelope_id), None)

        with self._changed:
            self._changed.wait_for(lambda: ack() is not None, timeout)
            return ack()

    async def _open_socket_server(self) -> Any:
        return await websockets.serve(self._serve_socket, "127.0.0.1", 0)

    async def _serve_socket(self, websocket: WebSocketServerProtocol, path: str | None = None) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "slack-standin", "approximate_connection_time": 3600},
            "connection_info": {"app_id": APP_ID},
        }
        await websocket.send(json.dumps(hello))
        with self._changed:
            self._socket = websocket
            self._changed.notify_all()
        async for raw in websocket:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            with self._changed:
                if isinstance(message, dict) and "envelope_id" in message:
                    self.acks.append(message)
                self._changed.notify_all()


def _handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            """Arguments in the body (JSON or a form) or, as slack_sdk sends some methods', in the query string."""
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content_type = self.headers.get("Content-Type", "")
            self._answer({**self._query(), **_parse(raw, content_type)}, content_type)

        def do_GET(self) -> None:
            self._answer(self._query(), "")

        def _query(self) -> dict[str, Any]:
            return {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}

        def _answer(self, body: dict[str, Any], content_type: str) -> None:
            path = urlsplit(self.path).path
            answer = standin.record(Call(path, body, self.headers.get("Authorization"), content_type))
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: Any) -> None:
            """Quiet: the calls are recorded instead."""

    return Handler


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(raw)
    return {key: values[0] for key, values in parse_qs(raw.decode("utf-8")).items()}
