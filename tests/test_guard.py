"""The channels' own checks and words, without a server: the guard, the REST body parser, the channel strings,
and what bot.launch.rasa_cli changes in Rasa (telemetry, Sentry, the action timeout, the API token)."""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.channels.guard import InputGuard, clean_text
from bot.channels.replies import LANGUAGES, LOCALES, channel_text, declared_language, reply_language, table
from bot.channels.rest import MAX_SENDER_CHARS, BadRequest, body_limit, parse_request
from bot.extensions.patches.limits_sweep import SweptMemoryStorage

ROOT = Path(__file__).resolve().parent.parent

# --- the guard --------------------------------------------------------------------------------------------------


def test_control_characters_go_and_everything_else_stays():
    assert clean_text("  What\x00 is\x07 Keras?\x1b \r\n") == "What  is  Keras?"
    assert clean_text("\x1b[1;31mKeras\x1b[0m or \x1b[2K\x1b[?25lPyTorch") == "Keras or PyTorch"
    assert clean_text("a\r\nb\rc\td") == "a\nb\nc\td"
    assert clean_text("\ud800PyTorch") == "\ufffdPyTorch"
    for kept in ("¿Qué es PyTorch? 🤖👩‍💻", "מה זה PyTorch?", "ما هو \u200fTensorFlow", "'; DROP TABLE facts;--"):
        assert clean_text(kept) == kept
    assert clean_text("<script>alert(1)</script>") == "<script>alert(1)</script>"


def test_empty_and_too_long_messages_are_refused_with_their_numbers():
    guard = InputGuard(max_chars=10, rate_limit="off")
    assert guard.check("a", " \t\n\x00 ").refusal == "empty"
    verdict = guard.check("a", "x" * 11)
    assert verdict.refusal == "too_long" and verdict.values == {"length": 11, "limit": 10}
    assert guard.check("a", "x" * 10).text == "x" * 10
    assert guard.check("a", " what\x00is ").text == "what is"


def test_rate_limit_is_per_sender_and_says_when_to_retry():
    guard = InputGuard(rate_limit="2/minute")
    assert guard.check("alice", "hi").accepted and guard.check("alice", "hi").accepted
    refused = guard.check("alice", "hi")
    assert refused.refusal == "rate_limited" and 1 <= refused.values["retry_after"] <= 60
    assert guard.check("bob", "hi").accepted


def test_the_rate_limit_still_counts_after_its_window_has_emptied():
    # The limiter holds its counters by a weak reference; once no window is open they must not be collected.
    guard = InputGuard(rate_limit="1/second")
    assert guard.check("carol", "hi").accepted
    time.sleep(1.5)
    gc.collect()
    assert guard.check("carol", "hi").accepted and guard.check("carol", "hi").refusal == "rate_limited"


def test_expired_entries_are_swept_once_a_second_not_every_hit():
    guard = InputGuard(rate_limit="3/second")
    counters = guard._counters
    time.sleep(0.1)  # limits' own first sweep, 10 ms after it is created, is over
    assert guard.check("dave", "hi").accepted and guard.check("dave", "hi").accepted
    assert counters.timer.interval == SweptMemoryStorage.SWEEP_SECONDS and counters.timer.daemon
    time.sleep(1.2)  # the entries expired; a sweep may or may not have run: they no longer count either way
    assert all(guard.check("dave", "hi").accepted for _ in range(3)) and not guard.check("dave", "hi").accepted
    # A sweep runs a second after a hit that finds none pending. The one these hits started may come a few ms before
    # their entries expire, so another sender's hit after they expired starts the sweep that frees them.
    time.sleep(1.1)
    assert guard.check("erin", "hi").accepted
    deadline = time.monotonic() + 10  # the sweep runs a second later (later on a busy machine)
    while counters.events.get("LIMITER/sender/dave/3/1/second", []) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert counters.events.get("LIMITER/sender/dave/3/1/second", []) == []


def test_settings_come_from_the_environment_and_bad_ones_say_what_to_write():
    guard = InputGuard.from_env({"MAX_MESSAGE_CHARS": "50", "RATE_LIMIT": "1/minute"})
    assert guard.max_chars == 50 and len(guard.rate_limits) == 1
    assert InputGuard.from_env({"RATE_LIMIT": "1/minute"}, rate_limited=False).rate_limits == []
    assert InputGuard.from_env({"RATE_LIMIT": "off"}).rate_limits == []
    with pytest.raises(ValueError, match="MAX_MESSAGE_CHARS must be a positive whole number"):
        InputGuard.from_env({"MAX_MESSAGE_CHARS": "-3"})
    with pytest.raises(ValueError, match="RATE_LIMIT must look like"):
        InputGuard.from_env({"RATE_LIMIT": "often"})


# --- the channels' strings ----------------------------------------------------------------------------------------


def test_every_language_has_the_same_channel_strings():
    keys = {language: set(table(language)) for language in LANGUAGES}
    assert keys["en"] == keys["es"], keys["en"] ^ keys["es"]
    assert {path.stem for path in LOCALES.glob("*.yml")} == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_channel_string_formats_with_the_values_the_guard_gives(language):
    values = {"length": 2001, "limit": 2000, "retry_after": 5}
    for key, entry in table(language).items():
        if isinstance(entry, list):  # lists of strings, such as Slack's suggested prompts
            assert entry and all(text and isinstance(text, str) for item in entry for text in item.values()), key
            continue
        text = channel_text(key, language, **values)
        assert text and "{" not in text and len(text) < 300
    assert "2001" in channel_text("too_long", language, **values)


def test_unknown_languages_get_english():
    assert channel_text("empty", "fr") == channel_text("empty", "en") != channel_text("empty", "es")
    assert declared_language({"language": "es-MX"}) == "es"
    assert declared_language({"language": 7}) is None and declared_language(None) is None


class FakeTracker:
    def __init__(self, language, latest=None):
        self.language, self.latest_message = language, latest

    def get_slot(self, name):
        return self.language if name == "language" else None


class FakeAgent:
    """What reply_language may ask of Rasa's agent: the tracker store, never the NLU."""

    def __init__(self, slot=None, latest=None, broken=False):
        self.slot, self.latest, self.broken = slot, latest, broken
        self.tracker_store = self

    async def retrieve(self, sender_id):
        if self.broken:
            raise ConnectionError("tracker store down")
        return FakeTracker(self.slot, self.latest) if self.slot or self.latest else None

    async def parse_message(self, text):
        raise AssertionError("the language of a reply must not cost a second NLU run")


def test_reply_language_follows_the_one_rule_without_running_the_nlu_again():
    from rasa.shared.core.events import UserUttered

    def language(agent, metadata=None, text="hello there"):
        return asyncio.run(reply_language(agent, "s", metadata, text))

    spanish = UserUttered("tf o torch", parse_data={"language": "es"})
    assert language(FakeAgent(slot="en", latest=spanish), text="tf o torch") == "es"  # the NLU's verdict on it
    assert language(FakeAgent(slot="en", latest=spanish), text="   ") == "en"  # an older message's verdict: no
    assert language(FakeAgent(slot="es"), {"language": "en"}) == "es"  # the conversation before the page
    assert language(FakeAgent(), {"language": "es-MX"}) == "es"
    assert language(FakeAgent(), text="¿Qué diferencia hay entre Keras y PyTorch?") == "es"  # its little words
    assert language(FakeAgent(), text=None) == "en"
    assert language(FakeAgent(broken=True), text="¿y cuál es mejor?") == "es"


def test_the_actions_and_the_channels_share_one_order_of_evidence():
    from knowledge.text import choose_language

    assert choose_language("es", "en", "en", "en") == "es"
    assert choose_language(None, "es", "en", "en") == "es"
    assert choose_language("fr", None, "es", "en") == "es"
    assert choose_language(None, None, None, "es") == "es"
    assert choose_language() == "en"


# --- the guarded turn (bot/channels/turn.py), as every channel runs it ------------------------------------------


class Transport:
    """What a channel gives the guarded turn: what it said itself, and the replies Rasa sent through it."""

    def __init__(self):
        self.said, self.replies, self.before = [], [], []

    async def say(self, text):
        self.said.append(text)

    async def note_before(self, text):
        self.before.append(text)

    def sent(self):
        return len(self.replies)


def run_turn(on_new_message, text="  What is Keras?\x07 ", guard=None, **options):
    from bot.channels.turn import Turn, guarded_turn

    transport = Transport()
    turn = Turn("test", FakeAgent(slot="es"), "s1", {"language": None})

    async def handle(message):
        await on_new_message(message, transport)

    verdict = asyncio.run(
        guarded_turn(
            turn,
            guard or InputGuard(rate_limit="off"),
            text,
            handle,
            None,
            transport.sent,
            transport.say,
            before=transport.note_before,
            **options,
        )
    )
    return verdict, transport


def test_a_turn_hands_the_cleaned_text_to_rasa_with_its_sender_channel_and_metadata():
    seen = []

    async def answer(message, transport):
        seen.append((message.text, message.sender_id, message.input_channel, message.metadata))
        transport.replies.append("Keras is...")

    verdict, transport = run_turn(answer)
    assert verdict.accepted and seen == [("What is Keras?", "s1", "test", {"language": None})]
    assert transport.before == ["What is Keras?"] and transport.said == []


def test_a_refused_message_never_reaches_rasa_and_is_answered_in_the_senders_language():
    async def answer(message, transport):
        raise AssertionError("a refused message reached Rasa")

    verdict, transport = run_turn(answer, text=" \x00 ")
    assert verdict.refusal == "empty" and transport.said == [channel_text("empty", "es")] and transport.before == []


def test_a_turn_that_failed_or_sent_nothing_gets_the_apology_unless_it_asks_for_no_reply(caplog):
    async def broken(message, transport):
        raise ConnectionError("action server down")

    async def silent(message, transport):
        return None

    apology = [channel_text("unavailable", "es")]
    assert run_turn(broken)[1].said == apology and "could not be handled" in caplog.text
    assert run_turn(silent)[1].said == apology
    assert run_turn(silent, apologise=False)[1].said == []


# --- the REST channel's body parser -------------------------------------------------------------------------------

LIMIT = body_limit(2000)


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_a_well_formed_body_is_read():
    parsed = parse_request(body(sender="u1", message="¿Qué es Keras? 🤖", metadata={"language": "es"}), LIMIT)
    assert (parsed.sender, parsed.text, parsed.metadata) == ("u1", "¿Qué es Keras? 🤖", {"language": "es"})
    assert parse_request(body(sender="u1", message=""), LIMIT).text == ""


@pytest.mark.parametrize(
    "raw, fragment",
    [
        (b"\xff\xfe{", "not valid UTF-8"),
        (b'{"sender": "u1", "message": "hi"', "not valid JSON"),
        (b'{"sender": "u1", "message": NaN}', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b'["u1", "hi"]', "must be a JSON object"),
        (b'"hi"', "must be a JSON object"),
        (body(message="hi"), '"sender" must be'),
        (body(sender=42, message="hi"), '"sender" must be'),
        (body(sender="  ", message="hi"), '"sender" must be'),
        (body(sender="u\x00", message="hi"), '"sender" must be'),
        (body(sender="u" * (MAX_SENDER_CHARS + 1), message="hi"), '"sender" must be'),
        (body(sender="u1"), '"message" must be a string'),
        (body(sender="u1", message=None), '"message" must be a string'),
        (body(sender="u1", message=7), '"message" must be a string'),
        (body(sender="u1", message={"text": "hi"}), '"message" must be a string'),
        (body(sender="u1", message="hi", metadata="es"), '"metadata", when given, must be a JSON object'),
    ],
)
def test_unreadable_bodies_are_refused_with_one_clear_sentence(raw, fragment):
    with pytest.raises(BadRequest) as refused:
        parse_request(raw, LIMIT)
    assert refused.value.status == 400 and fragment in refused.value.message
    assert refused.value.message.count(". ") == 0 and refused.value.message.endswith(".")


def test_a_body_larger_than_any_message_needs_is_refused_as_too_large():
    largest = "😀" * 2000  # each emoji escapes to 12 bytes: the worst case fits
    assert parse_request(json.dumps({"sender": "u1", "message": largest}).encode(), LIMIT).text == largest
    with pytest.raises(BadRequest) as refused:
        parse_request(b" " * (LIMIT + 1), LIMIT)
    assert refused.value.status == 413 and str(LIMIT) in refused.value.message


# --- what bot.launch.rasa_cli changes in Rasa ----------------------------------------------------------------------


def test_api_token_comes_from_the_environment_and_an_open_api_is_refused():
    from bot.launch.rasa_cli import with_api_token

    run = ["run", "--model", "m.tar.gz"]
    assert with_api_token(run, {"RASA_API_TOKEN": "t0k3n"}) == run
    assert with_api_token([*run, "--enable-api"], {"RASA_API_TOKEN": "t0k3n"})[-2:] == ["--auth-token", "t0k3n"]
    with pytest.raises(SystemExit, match="set RASA_API_TOKEN"):
        with_api_token([*run, "--enable-api"], {})


def test_action_timeout_setting():
    from bot.extensions.patches.action_timeout import action_timeout

    assert action_timeout({}) == 3.0 and action_timeout({"ACTION_TIMEOUT_SECONDS": "0.5"}) == 0.5
    for bad in ("0", "-1", "soon", "1e9"):
        with pytest.raises(SystemExit, match="ACTION_TIMEOUT_SECONDS must be"):
            action_timeout({"ACTION_TIMEOUT_SECONDS": bad})


def run_python(code: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, env={**_env(), **env}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key not in ("RASA_TELEMETRY_ENABLED",)}


def test_rasa_reads_the_action_timeout_where_it_calls_the_action_server():
    # Rasa 3.6 would wait 5 minutes; both places that read the constant must see the setting.
    out = run_python(
        "from bot.launch import rasa_cli; rasa_cli.prepare()\n"
        "import inspect, rasa.core.actions.action as a, rasa.utils.endpoints as e\n"
        "print(a.DEFAULT_REQUEST_TIMEOUT, e.DEFAULT_REQUEST_TIMEOUT)\n"
        "print('timeout=DEFAULT_REQUEST_TIMEOUT' in inspect.getsource(a.RemoteAction.run))\n"
        "print('ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT)' in inspect.getsource(e.EndpointConfig.session))\n"
        "import aiohttp, asyncio\n"
        "async def timeout(): return (e.EndpointConfig('http://x').session()).timeout.total\n"
        "print(asyncio.run(timeout()))\n",
        ACTION_TIMEOUT_SECONDS="2.5",
    )
    assert out.split() == ["2.5", "2.5", "True", "True", "2.5"]


def test_rasa_runs_with_telemetry_off_and_without_sentry():
    # Rasa ships a Sentry key and would report errors with it; through bot.launch.rasa_cli it never sets Sentry up.
    out = run_python(
        "import sys, rasa.telemetry\n"
        "print(bool(rasa.telemetry.sentry_write_key()))\n"
        "from bot.launch import rasa_cli\n"
        "sys.argv = ['rasa_cli', 'telemetry']\n"
        "rasa_cli.main()\n"
        "import os, sentry_sdk\n"
        "print(os.environ['RASA_TELEMETRY_ENABLED'], rasa.telemetry.is_telemetry_enabled())\n"
        "print(sentry_sdk.Hub.current.client is None)\n"
    )
    lines = out.strip().splitlines()
    assert lines[0] == "True", "Rasa no longer ships a Sentry key: this test no longer proves anything"
    assert "disabled" in out.lower()
    assert lines[-2:] == ["false False", "True"]
