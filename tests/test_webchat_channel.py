"""The widget channel's own rules, without a server: what a page may send and who may connect."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.webchat import WebchatOutput, allowed_origins, page_metadata, valid_session_id


def test_only_the_declared_language_and_page_url_are_kept():
    raw = {"language": "es-ES", "page_url": "https://example.org/curso", "token": "secret", "x": [1]}
    assert page_metadata(raw) == {"language": "es", "page_url": "https://example.org/curso"}
    assert page_metadata('{"language": "en"}') == {"language": "en"}
    assert page_metadata({"language": "fr", "page_url": "javascript:alert(1)"}) == {}
    assert page_metadata("not json") == {} and page_metadata(None) == {} and page_metadata(7) == {}


@pytest.mark.parametrize("value", ["a" * 7, "a" * 65, "../../etc", "id with space", None, 12, "<b>x</b>abc"])
def test_odd_session_ids_are_refused(value):
    assert valid_session_id(value) is None


def test_session_ids_the_widget_makes_are_accepted():
    assert valid_session_id("3f2b9c1e0d8a4b6c9e7f1a2b3c4d5e6f") == "3f2b9c1e0d8a4b6c9e7f1a2b3c4d5e6f"


def test_no_other_origin_is_allowed_unless_configured():
    assert allowed_origins({}) is None
    assert allowed_origins({"WEBCHAT_ALLOWED_ORIGINS": " https://a.example/, https://b.example ,"}) == [
        "https://a.example",
        "https://b.example",
    ]


class RecordingServer:
    def __init__(self) -> None:
        self.emitted: list[tuple[str, dict, str]] = []

    async def emit(self, event: str, data: dict, room: str) -> None:
        self.emitted.append((event, data, room))


def test_a_reply_with_blank_lines_and_buttons_is_sent_as_one_message():
    server = RecordingServer()
    output = WebchatOutput(server)
    text = "Here:\n\n```python\nx = 1\n\ny = 2\n```\n\nMore?"
    buttons = [{"title": "Keras", "payload": '/ask_code{"framework": "keras"}'}]
    asyncio.run(output.send_text_with_buttons("session-1", text, buttons))
    assert output.sent == 1
    event, data, room = server.emitted[0]
    assert (event, room, data["text"]) == ("bot_uttered", "session-1", text)
    assert data["quick_replies"] == [{"content_type": "text", **buttons[0]}]
