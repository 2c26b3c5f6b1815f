"""Slack's Socket Mode: events and clicks come over a WebSocket the bot opens itself, so it needs no public address.

slack_sdk's asyncio client (aiohttp, which Rasa already depends on; it runs on Sanic's event loop) keeps the
connection: it asks the Web API for a WebSocket URL (`apps.connections.open`, with the app-level token),
answers pings, and reconnects when Slack says `disconnect`. Each envelope that carries a payload is
acknowledged at once with `{"envelope_id": ...}` (Slack redelivers an envelope it has no acknowledgement for,
counting `retry_attempt` up), and its payload goes to the same function that answers the HTTP endpoint's
requests (`SlackChannel.receive` in bot/channels/slack.py), which never answers one event twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

# Envelope types whose payload the channel answers: Events API callbacks and interactivity (button clicks).
ANSWERED_ENVELOPES = frozenset({"events_api", "interactive"})

Receive = Callable[[Mapping[str, Any]], None]


class SocketModeConnection:
    """One Socket Mode connection for the life of the Rasa server: `start` after it starts, `stop` before it stops.

    `receive` must only schedule the answer (never wait for it), so that the acknowledgement goes out at once.
    """

    def __init__(self, app_token: str, web_client: AsyncWebClient, receive: Receive) -> None:
        self._app_token = app_token
        self._web_client = web_client
        self._receive = receive
        self._client: SocketModeClient | None = None
        self._connecting: asyncio.Task | None = None

    async def start(self) -> None:
        """Connect in the background: the server keeps serving while Slack is slow or the token is refused."""
        self._client = SocketModeClient(app_token=self._app_token, web_client=self._web_client, logger=logger)
        self._client.socket_mode_request_listeners.append(self._on_envelope)
        self._connecting = asyncio.create_task(self._client.connect())
        logger.info("Slack Socket Mode: connecting through %s", self._web_client.base_url)

    async def stop(self) -> None:
        if self._connecting and not self._connecting.done():
            self._connecting.cancel()
        if self._client:
            await self._client.close()
            logger.info("Slack Socket Mode: connection closed.")

    async def _on_envelope(self, client: AsyncBaseSocketModeClient, envelope: SocketModeRequest) -> None:
        try:
            if envelope.retry_attempt:
                logger.info("Slack redelivery #%s (%s).", envelope.retry_attempt, envelope.retry_reason or "no reason")
            if envelope.type in ANSWERED_ENVELOPES:
                self._receive(envelope.payload)
        except Exception:
            logger.exception("Could not take a Slack %s envelope; acknowledged all the same.", envelope.type)
        finally:
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope.envelope_id))
