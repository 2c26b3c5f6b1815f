"""The terminal chat's own commands (bot/terminal/chat.py): the rating commands of every language."""

from __future__ import annotations

import json

import pytest

from bot.terminal.chat import rating_message


@pytest.mark.parametrize(
    ("line", "rating"),
    [
        ("/good", {"rating": "up"}),
        ("/GOOD", {"rating": "up"}),
        ("/bien", {"rating": "up"}),
        ("/bad", {"rating": "down"}),
        ("/bad   too long,  and no code ", {"rating": "down", "reason": "too long, and no code"}),
        ('/mal le falta "el código"', {"rating": "down", "reason": 'le falta "el código"'}),
        ("/good but ignored words", {"rating": "up"}),
    ],
)
def test_a_rating_command_sends_the_rating_message(line, rating):
    message = rating_message(line)
    assert message is not None and message.startswith("/rate_answer{")
    assert json.loads(message.removeprefix("/rate_answer")) == rating


@pytest.mark.parametrize("line", ["good", "/goodness", "what is /bad?", "/rate_answer", "1"])
def test_other_lines_are_not_ratings(line):
    assert rating_message(line) is None
