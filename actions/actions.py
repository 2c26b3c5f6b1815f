"""Rasa actions: each reads what the user asked, asks the composer for an answer, and sends it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.answers import Answer, Composer
from actions.kb import store

# Opening the store here makes the action server refuse to start without a usable knowledge base.
store()


class AnswerAction(Action, ABC):
    """Shared plumbing: pick the language, compose, send, and remember language and topic."""

    topic: str | None = None

    @abstractmethod
    def answer(self, composer: Composer, tracker: Tracker) -> Answer: ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = context.language(tracker)
        reply = self.answer(Composer(store(), lang), tracker)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
        events: list[EventType] = [SlotSet("language", lang)]
        if self.topic:
            events.append(SlotSet("topic", self.topic))
        return events


class SmallTalk(AnswerAction):
    def name(self) -> str:
        return "action_smalltalk"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        return composer.smalltalk(tracker.latest_message["intent"]["name"])


class LowConfidence(AnswerAction):
    def name(self) -> str:
        return "action_low_confidence"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        entities = {name: context.entity_values(tracker, name) for name in ("framework", "aspect", "task", "concept")}
        return composer.low_confidence(tracker.latest_message.get("intent_ranking") or [], entities)


class Define(AnswerAction):
    topic = "definition"

    def name(self) -> str:
        return "action_define"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        subjects = context.entity_values(tracker, "concept") + context.entity_values(tracker, "framework")
        if not subjects and context.is_follow_up(tracker):
            subjects = context.frameworks(tracker) or [tracker.get_slot("concept")]
        return composer.define([s for s in subjects if s])


class Fact(AnswerAction):
    topic = "fact"

    def name(self) -> str:
        return "action_fact"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        return composer.fact(context.frameworks(tracker), context.current(tracker, "aspect"))


class Compare(AnswerAction):
    topic = "compare"

    def name(self) -> str:
        return "action_compare"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        frameworks = [] if context.wants_all(tracker) else context.frameworks(tracker)
        return composer.compare(frameworks, context.current(tracker, "aspect"))


class ShowCode(AnswerAction):
    topic = "code"

    def name(self) -> str:
        return "action_show_code"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        everything = context.wants_all(tracker)
        frameworks = [] if everything else context.frameworks(tracker)
        task = context.current(tracker, "task")
        if not task and everything:  # "the same thing in all three"
            task = tracker.get_slot("task")
        if not task and frameworks:  # "What is Keras?" then "show me an example"
            task = "define_model"
        return composer.code(frameworks, task)


class Recommend(AnswerAction):
    topic = "recommendation"

    def name(self) -> str:
        return "action_recommend"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        return composer.recommend(tracker.get_slot("experience"), tracker.get_slot("goal"))


class AskExperience(AnswerAction):
    def name(self) -> str:
        return "action_ask_experience"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        return composer.ask("experience")


class AskGoal(AnswerAction):
    def name(self) -> str:
        return "action_ask_goal"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        return composer.ask("goal")


class ValidateRecommendationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_recommendation_form"

    async def extract_goal(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "I want to deploy models" names the deployment aspect; the knowledge base maps it to a goal."""
        if context.entity_values(tracker, "goal"):
            return {}
        for aspect in context.entity_values(tracker, "aspect"):
            goal = store().goal_implied_by(aspect)
            if goal:
                return {"goal": goal}
        return {}
