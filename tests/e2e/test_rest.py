"""End to end: the real Rasa server and action server, asked over REST as a user would."""

from __future__ import annotations

import uuid

import pytest
import requests

from actions.i18n import table
from tests.e2e.servers import running_servers

RASA_PORT, ACTIONS_PORT = 15005, 15055
RASA = f"http://localhost:{RASA_PORT}"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bot(kb_path):
    with running_servers(RASA_PORT, ACTIONS_PORT) as url:
        yield url


class Conversation:
    def __init__(self, url: str) -> None:
        self.url, self.sender = url, f"e2e-{uuid.uuid4().hex[:8]}"

    def ask(self, text: str) -> str:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": self.sender, "message": text}, timeout=60
        )
        response.raise_for_status()
        replies = response.json()
        assert replies, f"no reply to {text!r}"
        return "\n".join(reply.get("text", "") for reply in replies)


def test_actions_server_health(bot):
    # Checked separately so a broken /health is reported on its own.
    assert requests.get(f"http://localhost:{ACTIONS_PORT}/health", timeout=5).json()["status"] == "ok"


def test_comparison_then_follow_up_in_english(bot):
    chat = Conversation(bot)
    first = chat.ask("what are the main differences between pytorch and tensorflow?")
    assert first.startswith("It depends on what you need")
    second = chat.ask("and for deployment?")
    assert "TensorFlow Serving" in second and "Nodd3r blog" in second


def test_code_in_spanish_then_another_framework(bot):
    chat = Conversation(bot)
    first = chat.ask("¿cómo guardo un modelo en TensorFlow?")
    assert "```python" in first and "Ejecutado tal cual" in first
    second = chat.ask("¿y en PyTorch?")
    assert "```python" in second and "torch" in second


def test_language_switch_within_one_conversation(bot):
    chat = Conversation(bot)
    assert "Keras" in chat.ask("What is Keras?")
    spanish = chat.ask("¿Quién desarrolló TensorFlow?")
    assert "Google" in spanish.split("\n")[0]


@pytest.mark.parametrize(
    ("message", "about"),
    [
        ("resumime onnx", "ONNX"),
        ("from transformers import TFAutoModelForSequenceClassification me tira ImportError, lo sacaron?", ""),
    ],
)
def test_a_spanish_message_with_english_names_or_code_is_answered_in_spanish(bot, message, about):
    """The language model is unsure of "resumime onnx" as a whole (the name's letters lean English, and no Spanish
    stop word votes), and of a message with code; without the name, or the code, it is sure."""
    from bot.nlu.language import guess_language

    reply = Conversation(bot).ask(message)
    assert about in reply and guess_language(reply) == "es", reply


def _session_starts(sender: str) -> int:
    import os

    import sqlalchemy as sa

    from bot.launch.runtime_config import DEFAULT_TRACKER_STORE

    engine = sa.create_engine(os.environ.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE)
    query = sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :sender AND type_name = 'session_started'")
    with engine.connect() as connection:
        return connection.execute(query, {"sender": sender}).scalar()


def test_a_follow_up_opening_a_new_session_still_follows_the_last_answer(bot):
    """Rasa starts a new session every SESSION_USER_TURNS user messages (bot/extensions/patches/session_every.py),
    so that a message costs the same however long the conversation; the slots carry the context over."""
    from bot.extensions.patches.session_every import SESSION_USER_TURNS

    short = Conversation(bot)
    short.ask("PyTorch vs TensorFlow for deployment?")
    expected = short.ask("and for speed?")
    long = Conversation(bot)
    for _ in range(SESSION_USER_TURNS - 1):
        long.ask("what is Keras?")
    long.ask("PyTorch vs TensorFlow for deployment?")
    assert _session_starts(long.sender) == 1
    assert long.ask("and for speed?") == expected
    assert _session_starts(long.sender) == 2


def test_advice_comes_at_once_and_a_stated_goal_tailors_it(bot):
    chat = Conversation(bot)
    first = chat.ask("which framework should I learn?")
    assert "PyTorch" in first.split("\n")[0] and "How much experience" not in first
    assert "LiteRT" in chat.ask("I want to build a mobile app")


def test_questions_outside_the_knowledge_base_get_an_honest_answer(bot):
    unknown = Conversation(bot).ask("what is a variational autoencoder?")  # a concept it has no entry for
    assert "_(" not in unknown  # no sourced fact presented as if it answered
    assert "JAX" in Conversation(bot).ask("what is JAX?").split("\n")[0]


def strings_of(tree: object) -> set[str]:
    """Every reply string of a language's table (actions/locales), however deep."""
    if isinstance(tree, dict):
        return set().union(*(strings_of(value) for value in tree.values()))
    return {tree} if isinstance(tree, str) else set()


def test_a_no_after_an_english_answer_is_answered_in_english(bot):
    chat = Conversation(bot)
    chat.ask("what is pytorch?")
    first_line = chat.ask("no").split("\n")[0]  # was: "¡Hasta luego y suerte con tus modelos!"
    assert first_line in strings_of(table("en")) and first_line not in strings_of(table("es"))


@pytest.mark.parametrize(("message", "lang"), [("hey, can you help me out?", "en"), ("me ayudas con una cosa?", "es")])
def test_a_plain_request_for_help_gets_the_help_reply_not_a_fact(bot, message, lang):
    reply = Conversation(bot).ask(message)
    assert reply.startswith(table(lang)["smalltalk"]["help"]) and "_(" not in reply  # no sourced fact


def test_a_new_user_pointing_at_it_acknowledging_and_asking_why_gets_a_conversation(bot):
    """Messages around the questions (twentieth round): "how do I install it?" first is asked which framework, and
    then answered for the one named; "ok" goes on; "why?" after advice gets the facts it rests on."""
    chat = Conversation(bot)
    assert chat.ask("how do I install it?") == table("en")["fact"]["ask_framework"]
    assert "pip install" in chat.ask("how do I install pytorch?")
    assert chat.ask("ok") == table("en")["smalltalk"]["acknowledge"]  # was: "Bye, and good luck with your models!"
    chat.ask("which framework should I learn?")
    why = chat.ask("why?")  # was: "Sorry, that's outside what I know"
    assert why.startswith(table("en")["recommend"]["why"].format(name="PyTorch")) and "_(" in why


def test_out_of_scope_does_not_pretend(bot):
    answer = Conversation(bot).ask("what's the weather like in Madrid tomorrow?")
    assert "outside what I know" in answer


CODE_QUESTIONS = [
    ("how do I define a simple model in keras?", "define_model", "keras"),
    ("muéstrame un bucle de entrenamiento en PyTorch", "train", "pytorch"),
    ("how can I evaluate my model in tensorflow", "evaluate", "tensorflow"),
    ("¿cómo guardo y cargo un modelo en keras?", "save_load", "keras"),
    ("how do I run pytorch on the gpu", "gpu", "pytorch"),
    ("ejemplo de una red convolucional con tensorflow", "cnn", "tensorflow"),
    ("custom training step with gradienttape in tensorflow please", "custom_training_step", "tensorflow"),
    ("¿cómo cargo datos con un DataLoader en pytorch?", "data_loading", "pytorch"),
    ("how do I export a keras model for deployment", "export", "keras"),
    ("registrar métricas en tensorboard con pytorch", "tensorboard_logging", "pytorch"),
    ("show me distributed training code in pytorch", "distributed", "pytorch"),
]
IMPORTS = {"keras": "import keras", "tensorflow": "import tensorflow as tf", "pytorch": "import torch"}


@pytest.mark.parametrize("question, task, framework", CODE_QUESTIONS, ids=[q[1] for q in CODE_QUESTIONS])
def test_code_questions_return_the_checked_snippet(bot, question, task, framework):
    from knowledge.paths import SNIPPETS_DIR

    answer = Conversation(bot).ask(question)
    code = (SNIPPETS_DIR / framework / f"{task}.py").read_text(encoding="utf-8").rstrip("\n")
    assert f"```python\n{code}\n```" in answer
    assert IMPORTS[framework] in code
