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


def test_the_terminal_chat_starts_without_loading_rasa_or_tensorflow():
    """The client only talks to the servers: importing Rasa, TensorFlow or limits here would cost ~10 s and a
    warning on the user's screen before the first prompt."""
    import subprocess
    import sys

    script = (
        "import sys, bot.terminal.chat; print(sorted(m for m in ('rasa', 'tensorflow', 'limits') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
