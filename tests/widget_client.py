"""A client that speaks the web widget's socket.io protocol (bot/channels/webchat.py), for the tests."""

from __future__ import annotations

import asyncio

import socketio

REPLY_SECONDS = 30


class Widget:
    """A socket.io client speaking the widget's protocol; collects every bot message it receives."""

    def __init__(self, url: str, origin: str | None = None) -> None:
        self.url = url
        self.origin = origin or url
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", self.received.put_nowait)
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.client.on("session_confirm", self.confirmed.put_nowait)

    async def open(self, session_id: str | None = None, seen: int | None = None) -> str:
        # Long-polling: python-engineio's WebSocket client needs a newer aiohttp than Rasa's; the browser tests
        # cover WebSocket.
        await self.client.connect(self.url, headers={"Origin": self.origin}, transports=["polling"])
        request = {"session_id": session_id} if seen is None else {"session_id": session_id, "seen": seen}
        await self.client.emit("session_request", request)
        return await asyncio.wait_for(self.confirmed.get(), REPLY_SECONDS)

    async def say(self, session_id: str, text: object, language: str = "en") -> list[dict]:
        """Sends one message and returns the bot messages that arrive until a second passes without one."""
        metadata = {"language": language, "page_url": "http://localhost/course/intro", "cookie": "ignored"}
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id, "customData": metadata})
        return await self.collect()

    async def collect(self) -> list[dict]:
        """The bot messages that arrive until a second passes without one (waiting for the first)."""
        replies = [await asyncio.wait_for(self.received.get(), REPLY_SECONDS)]
        while True:
            try:
                replies.append(await asyncio.wait_for(self.received.get(), 1.0))
            except TimeoutError:
                return replies

    async def close(self) -> None:
        await self.client.eio.disconnect(abort=True)  # a graceful close would wait for the pending long-poll
