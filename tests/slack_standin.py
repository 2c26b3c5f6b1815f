"""A stand-in for Slack's Web API on 127.0.0.1: records every call and answers like Slack does.

Point the bot at it with SLACK_API_URL=<standin.api_url>. It answers every method with {"ok": true, "ts": ...}
and `auth.test` with the bot's identity, so the connector can be tested without a Slack workspace.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"


@dataclass
class Call:
    """One request to the stand-in: `path` like /api/chat.postMessage, `body` parsed from JSON or a form."""

    path: str
    body: dict[str, Any]
    authorization: str | None
    content_type: str

    @property
    def method(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class SlackStandIn:
    """Runs in a thread until `stop()`; `calls` holds what the bot sent, in order."""

    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _timestamps: itertools.count = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None

    def start(self) -> SlackStandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, name="slack-standin", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def api_url(self) -> str:
        assert self._server, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def record(self, call: Call) -> dict[str, Any]:
        """Keep the call and give Slack's answer to it."""
        with self._lock:
            self.calls.append(call)
            ts = f"{int(time.time())}.{next(self._timestamps):06d}"
        if call.method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "user": "advisor", "team_id": "TTEST"}
        return {"ok": True, "ts": ts, "channel": call.body.get("channel"), "message": {**call.body, "ts": ts}}

    def posts(self, predicate: Callable[[dict[str, Any]], bool] = lambda body: True) -> list[dict[str, Any]]:
        """Bodies of the chat.postMessage calls so far that match `predicate`."""
        with self._lock:
            calls = list(self.calls)
        return [call.body for call in calls if call.method == "chat.postMessage" and predicate(call.body)]

    def wait_for_posts(
        self, predicate: Callable[[dict[str, Any]], bool], count: int = 1, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """The matching posts once there are at least `count` of them (or what there is after `timeout`)."""
        deadline = time.monotonic() + timeout
        while len(found := self.posts(predicate)) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return found


def _handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content_type = self.headers.get("Content-Type", "")
            answer = standin.record(
                Call(self.path, _parse(raw, content_type), self.headers.get("Authorization"), content_type)
            )
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
