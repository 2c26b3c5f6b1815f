"""The web widget's channel: socket.io, one whole message per bot reply, and the widget's files.

Built on Rasa's SocketIOInput, with what the widget needs and Rasa 3.6's channel lacks:
- replies are never split on blank lines (that breaks code blocks);
- session persistence is on (`session_request` -> `session_confirm`, as rasa-webchat expects), and a
  reconnecting widget that says how many replies it has seen gets those its session received while it was away;
- only the page's declared language and URL reach the tracker as metadata;
- every message passes the guard (type, pace, length); a turn that produced no reply gets an apology;
- the demo page and the embed script are served at /webhooks/webchat/ and /webhooks/webchat/widget.js.

Cross-origin pages may connect only when listed in WEBCHAT_ALLOWED_ORIGINS (comma-separated, e.g.
"https://docs.example.org,https://blog.example.org"); by default only pages from the server's own origin can.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any

from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.guard import InputGuard
from bot.channels.replies import channel_says, declared_language
from bot.channels.turn import OnNewMessage, Turn, guarded_turn
from knowledge import settings
from knowledge.paths import ROOT

logger = logging.getLogger(__name__)

WIDGET_DIR = ROOT / "widget"  # an npm project of its own, built by `make widget`
WIDGET_SCRIPT = WIDGET_DIR / "dist" / "widget.js"
DEMO_PAGE = WIDGET_DIR / "demo.html"
ORIGINS_VARIABLE = "WEBCHAT_ALLOWED_ORIGINS"
USER_EVENT, BOT_EVENT = "user_uttered", "bot_uttered"
METADATA_KEY = "customData"  # rasa-webchat's name for it
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_PAGE_URL_CHARS = 2000


def allowed_origins(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """The extra origins whose pages may connect; None leaves python-socketio's default (same origin only)."""
    origins = [origin.strip().rstrip("/") for origin in settings.value(ORIGINS_VARIABLE, environ).split(",")]
    return [origin for origin in origins if origin] or None


def page_metadata(raw: Any) -> dict[str, str]:
    """The page's declared language and URL, and nothing else a page might send."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, dict):
        return {}
    metadata: dict[str, str] = {}
    language = declared_language(raw)
    if language:
        metadata["language"] = language
    page_url = raw.get("page_url")
    if isinstance(page_url, str) and page_url.startswith(("http://", "https://")):
        metadata["page_url"] = page_url[:MAX_PAGE_URL_CHARS]
    return metadata


def valid_session_id(value: Any) -> str | None:
    return value if isinstance(value, str) and SESSION_ID.match(value) else None


def _agent(blueprint_context: Any) -> Any:
    """The Rasa agent of the app the blueprint is registered on (None before Rasa has loaded it)."""
    return getattr(getattr(getattr(blueprint_context, "app", None), "ctx", None), "agent", None)


class WebchatOutput(OutputChannel):
    """Sends each bot reply whole (text and its buttons in one event) to every socket of the session."""

    @classmethod
    def name(cls) -> str:
        return WebchatChannel.name()

    def __init__(self, sio: AsyncServer) -> None:
        self.sio = sio
        self.sent = 0

    async def _emit(self, session_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.sio.emit(BOT_EVENT, message, room=session_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._emit(recipient_id, {"text": text.strip()})

    async def send_notice(self, recipient_id: str, text: str) -> None:
        """What the channel itself says (a refusal, an apology): not in the conversation's record, so never
        replayed, and marked so the widget does not count it among the replies it has seen."""
        await self.sio.emit(BOT_EVENT, {"text": text, "transient": True}, room=recipient_id)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        quick_replies = [
            {"content_type": "text", "title": button["title"], "payload": button["payload"]} for button in buttons
        ]
        await self._emit(recipient_id, {"text": text.strip(), "quick_replies": quick_replies})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._emit(recipient_id, {"attachment": {"type": "image", "payload": {"src": image}}})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._emit(recipient_id, json_message)


class AppAwareSocketBlueprint(SocketBlueprint):
    """Remembers the Sanic app it is registered on, so socket events can reach the agent."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.app = app
        super().register(app, options)


class WebchatChannel(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebchatChannel:
        credentials = credentials or {}
        return cls(socketio_path=credentials.get("socketio_path", "/socket.io"))

    def __init__(self, socketio_path: str = "/socket.io") -> None:
        super().__init__(
            user_message_evt=USER_EVENT,
            bot_message_evt=BOT_EVENT,
            session_persistence=True,
            socketio_path=socketio_path,
            metadata_key=METADATA_KEY,
        )
        self.guard = InputGuard.from_env()
        self.origins = allowed_origins()

    def get_output_channel(self) -> OutputChannel | None:
        return WebchatOutput(self.sio) if self.sio else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origins)
        self.sio = sio
        webchat = AppAwareSocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)

        @webchat.route("/", methods=["GET"])
        async def demo(_: Request) -> HTTPResponse:
            if not DEMO_PAGE.exists():
                return response.text(f"The demo page is missing: {DEMO_PAGE.name} belongs in {WIDGET_DIR}.", 503)
            return await response.file(DEMO_PAGE, mime_type="text/html; charset=utf-8")

        @webchat.route("/widget.js", methods=["GET"])
        async def widget(_: Request) -> HTTPResponse:
            if not WIDGET_SCRIPT.exists():
                return response.text("The widget is not built: run `make widget`.", status=503)
            return await response.file(WIDGET_SCRIPT, mime_type="text/javascript; charset=utf-8")

        @webchat.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "widget_built": WIDGET_SCRIPT.exists()})

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            requested = valid_session_id(data.get("session_id"))
            session_id = requested or uuid.uuid4().hex
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)
            seen = data.get("seen")
            if requested and isinstance(seen, int) and not isinstance(seen, bool) and seen >= 0:
                await self._replay_missed(webchat.ctx, sid, session_id, seen)

        @sio.on(USER_EVENT)
        async def user_uttered(sid: str, data: Any = None) -> None:
            await self._handle(webchat.ctx, sid, data, on_new_message)

        return webchat

    async def _replay_missed(self, context: Any, sid: str, session_id: str, seen: int) -> None:
        """Sends a reconnecting socket the replies its session got while it was away.

        The widget counts the bot messages it has shown in this session (`seen`); the tracker holds them all.
        """
        agent = _agent(context)
        try:
            tracker = await agent.tracker_store.retrieve_full_tracker(session_id) if agent else None
        except Exception:
            logger.exception("Could not read the conversation of session %s to replay missed replies", session_id)
            return
        replies = [event for event in (tracker.events if tracker else []) if isinstance(event, BotUttered)]
        for event in replies[seen:]:
            quick_replies = [
                {"content_type": "text", "title": button.get("title"), "payload": button.get("payload")}
                for button in event.data.get("buttons") or []
            ]
            message = {"text": event.text or "", "replayed": True}
            if quick_replies:
                message["quick_replies"] = quick_replies
            await self.sio.emit(BOT_EVENT, message, room=sid)

    async def _handle(self, context: Any, sid: str, data: Any, on_new_message: OnNewMessage) -> None:
        """One message from one socket; never raises, so a bad message cannot disturb the others."""
        data = data if isinstance(data, dict) else {}
        session_id = valid_session_id(data.get("session_id")) or sid  # no session: this socket's own room
        metadata = page_metadata(data.get(METADATA_KEY))
        agent = _agent(context)
        output = WebchatOutput(self.sio)
        text = data.get("message")
        if not isinstance(text, str):
            await output.send_notice(session_id, await channel_says("unreadable", agent, session_id, metadata))
            return

        async def notice(said: str) -> None:
            await output.send_notice(session_id, said)

        turn = Turn(self.name(), agent, session_id, metadata)
        await guarded_turn(turn, self.guard, text, on_new_message, output, lambda: output.sent, notice)
