"""Socket Mode against the stand-in, without Rasa: the connection opens through the Web API, every envelope is
acknowledged, and each payload reaches the channel once (tests/e2e/test_slack.py has the whole bot)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack_socket import SocketModeConnection
from tests.slack_standin import SlackStandIn

APP_TOKEN = "-".join(("xapp", "not-a-real-app-token-unit"))  # assembled: no token-shaped text committed


@pytest.fixture
def connected() -> Iterator[tuple[SlackStandIn, list[Mapping[str, Any]], threading.Event]]:
    """A SocketModeConnection on an event loop of its own, connected to a fresh stand-in."""
    standin = SlackStandIn().start()
    received: list[Mapping[str, Any]] = []
    arrived = threading.Event()

    def receive(payload: Mapping[str, Any]) -> None:
        received.append(payload)
        arrived.set()

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    connection = SocketModeConnection(APP_TOKEN, AsyncWebClient(base_url=standin.api_url), receive)

    async def start() -> None:
        await connection.start()

    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    assert standin.wait_until_connected(timeout=20), "the client did not connect to the stand-in"
    yield standin, received, arrived
    asyncio.run_coroutine_threadsafe(connection.stop(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    standin.stop()


def test_the_connection_is_opened_with_the_app_token_through_the_web_api(connected):
    standin, _, _ = connected
    [call] = [call for call in standin.calls if call.method == "apps.connections.open"]
    assert call.authorization == f"Bearer {APP_TOKEN}"


@pytest.mark.parametrize("kind", ["events_api", "interactive"])
def test_each_envelope_is_acknowledged_and_its_payload_handed_over(connected, kind):
    standin, received, arrived = connected
    payload = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}
    envelope_id = standin.send_envelope(kind, payload)
    assert standin.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
    assert arrived.wait(5) and received == [payload]


def test_other_envelopes_are_acknowledged_but_not_handed_over(connected):
    standin, received, _ = connected
    envelope_id = standin.send_envelope("slash_commands", {"command": "/advisor", "text": "hi"})
    assert standin.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
    assert received == []
