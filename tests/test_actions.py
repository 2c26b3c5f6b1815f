"""Every action, run as the action server runs it, against the real (test-built) knowledge base."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from actions.i18n import table


def tracker(
    intent: str, text: str = "", entities: list[dict] | None = None, lang: str | None = "en", **slots: Any
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "text": text,
        "language": lang,
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
    }
    return Tracker("test-user", slots, latest, [], False, None, {}, "action_listen")


def entity(name: str, value: str) -> dict:
    return {"entity": name, "value": value}


def run(action_class, track: Tracker) -> tuple[list[dict], list]:
    dispatcher = CollectingDispatcher()
    events = action_class().run(dispatcher, track, {})
    return dispatcher.messages, events


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.mark.parametrize("intent", ["greet", "goodbye", "thank", "bot_challenge", "help", "out_of_scope"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_smalltalk_answers_from_the_language_table(intent, lang):
    messages, events = run(actions.SmallTalk, tracker(intent, lang=lang))
    assert text_of(messages) == table(lang)["smalltalk"][intent]
    assert SlotSet("language", lang) in events


def test_help_offers_example_questions_as_buttons():
    messages, _ = run(actions.SmallTalk, tracker("help", lang="es"))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [item["payload"] for item in table("es")["examples"]]


def test_unclear_language_keeps_the_conversation_language():
    messages, events = run(actions.SmallTalk, tracker("thank", lang=None, language="es"))
    assert text_of(messages) == table("es")["smalltalk"]["thank"]


def test_unclear_first_message_takes_the_language_the_page_declared():
    track = tracker("thank", lang=None)
    track.latest_message["metadata"] = {"language": "es", "page_url": "https://example.org/curso"}
    assert text_of(run(actions.SmallTalk, track)[0]) == table("es")["smalltalk"]["thank"]


def test_definition_of_keras_cites_the_article_and_the_update():
    messages, events = run(actions.Define, tracker("ask_definition", entities=[entity("framework", "keras")]))
    text = text_of(messages)
    assert "**Keras**" in text and "Nodd3r blog, 2022-10-11" in text
    assert SlotSet("topic", "definition") in events


def test_deep_learning_vs_machine_learning_in_spanish():
    entities = [entity("concept", "deep_learning"), entity("concept", "machine_learning")]
    text = text_of(run(actions.Define, tracker("ask_definition", entities=entities, lang="es"))[0])
    assert "aprendizaje profundo" in text.lower() and "aprendizaje automático" in text.lower()


def test_fact_on_one_aspect():
    entities = [entity("framework", "pytorch"), entity("aspect", "platforms")]
    text = text_of(run(actions.Fact, tracker("ask_fact", entities=entities))[0])
    assert "Windows" in text


def test_fact_without_framework_asks_which():
    messages, _ = run(actions.Fact, tracker("ask_fact"))
    assert text_of(messages) == table("en")["fact"]["ask_framework"]


def test_comparison_on_deployment_shows_article_and_update():
    entities = [entity("framework", "pytorch"), entity("framework", "tensorflow"), entity("aspect", "deployment")]
    messages, events = run(actions.Compare, tracker("compare", entities=entities))
    text = text_of(messages)
    assert text.startswith("**TensorFlow vs PyTorch — deployment**")
    assert "Nodd3r blog" in text and "**Update (" in text
    assert SlotSet("topic", "compare") in events
    assert all(b["payload"].startswith("/compare") for b in messages[0]["buttons"])


def test_follow_up_reuses_frameworks_and_takes_the_new_aspect():
    follow = tracker(
        "follow_up", entities=[entity("aspect", "speed")], frameworks=["keras", "pytorch"], topic="compare"
    )
    text = text_of(run(actions.Compare, follow)[0])
    assert text.startswith("**Keras vs PyTorch — speed**")


def test_new_comparison_does_not_inherit_the_old_aspect():
    fresh = tracker(
        "compare", entities=[entity("framework", "keras"), entity("framework", "pytorch")], aspect="deployment"
    )
    assert "— overall**" in text_of(run(actions.Compare, fresh)[0])


def test_code_snippet_is_a_fenced_python_block_with_versions():
    entities = [entity("framework", "pytorch"), entity("task", "train")]
    text = text_of(run(actions.ShowCode, tracker("ask_code", entities=entities))[0])
    assert "```python\n" in text and "import torch" in text and "PyTorch 2.13" in text


def test_code_follow_up_keeps_the_task_and_switches_framework():
    follow = tracker("follow_up", entities=[entity("framework", "keras")], task="save_load", frameworks=["keras"])
    text = text_of(run(actions.ShowCode, follow)[0])
    assert "```python" in text and "keras" in text.lower() and "torch" not in text


def test_example_after_a_definition_shows_how_to_define_a_model():
    text = text_of(run(actions.ShowCode, tracker("ask_code", frameworks=["keras"]))[0])
    assert "```python" in text and "keras" in text


def test_same_thing_in_all_three():
    entities = [entity("task", "save_load"), entity("scope", "all")]
    text = text_of(run(actions.ShowCode, tracker("ask_code", entities=entities, frameworks=["keras"]))[0])
    assert text.count("```python") == 3


def test_recommendation_uses_the_form_slots_and_gives_reasons():
    messages, events = run(actions.Recommend, tracker("inform", experience="beginner", goal="research", lang="es"))
    text = text_of(messages)
    assert "**PyTorch**" in text and "Por qué:" in text
    assert SlotSet("topic", "recommendation") in events


@pytest.mark.parametrize("slot", ["experience", "goal"])
def test_form_questions_offer_every_value_as_a_button(slot):
    action = actions.AskExperience if slot == "experience" else actions.AskGoal
    messages, _ = run(action, tracker("recommend", lang="es"))
    assert [b["title"].lower() for b in messages[0]["buttons"]] == [
        v.lower() for v in table("es")["values"][slot].values()
    ]


def test_low_confidence_offers_likely_meanings():
    track = tracker("nlu_fallback", entities=[entity("framework", "keras")])
    track.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "compare", "confidence": 0.3},
        {"name": "ask_code", "confidence": 0.25},
        {"name": "greet", "confidence": 0.01},
    ]
    messages, _ = run(actions.LowConfidence, track)
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/compare{"framework": ["keras"]}',
        '/ask_code{"framework": ["keras"]}',
    ]


def test_deployment_aspect_fills_the_production_goal():
    track = tracker("inform", entities=[entity("aspect", "deployment")])
    slots = asyncio.run(actions.ValidateRecommendationForm().extract_goal(CollectingDispatcher(), track, {}))
    assert slots == {"goal": "production"}


def test_string_tables_have_the_same_keys():
    def keys(node, prefix=""):
        if isinstance(node, dict):
            return {k for key, value in node.items() for k in keys(value, f"{prefix}{key}.")} | {prefix}
        if isinstance(node, list):
            return {f"{prefix}[{len(node)}]"}
        return {prefix}

    assert keys(table("en")) == keys(table("es"))


def test_speed_comparison_cites_the_figures_measured_here():
    entities = [entity("framework", "pytorch"), entity("framework", "keras"), entity("aspect", "speed")]
    text = text_of(run(actions.Compare, tracker("compare", entities=entities))[0])
    assert "Nodd3r blog" in text  # what the article claims...
    assert "**Measured on this machine** (Test CPU 3000, 2 cores" in text  # ...next to what was measured
    assert "- MLP, one training step: PyTorch 1.50 ms vs Keras 4.50 ms (PyTorch is 3.0× faster)" in text
    assert "- small CNN, one training step: Keras 9.00 ms vs PyTorch 12.00 ms (Keras is 1.3× faster)" in text


def test_speed_fact_in_spanish_without_measurements_says_how_to_measure(tmp_path, monkeypatch):
    from knowledge.build import build
    from knowledge.store import KnowledgeStore

    build(tmp_path / "kb.sqlite", tmp_path / "no-runs.json", tmp_path / "no-measurements.json")
    monkeypatch.setattr(actions, "store", lambda: KnowledgeStore(f"sqlite:///{tmp_path / 'kb.sqlite'}"))
    entities = [entity("framework", "pytorch"), entity("aspect", "speed")]
    text = text_of(run(actions.Fact, tracker("ask_fact", entities=entities, lang="es"))[0])
    assert table("es")["speed"]["not_measured"] in text
