"""Rasa actions: each reads what the user asked, asks the composer for an answer, and sends it."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context, ratings
from actions.answers import SEARCHED_SMALL_TALK, Answer, Composer, Question
from actions.i18n import Strings
from actions.kb import store


class AnswerAction(Action, ABC):
    """Shared plumbing: pick the language, compose, send, and remember language, topic and what answered."""

    topic: str | None = None

    @abstractmethod
    def answer(self, composer: Composer, tracker: Tracker) -> Answer: ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = context.language(tracker)
        composer = Composer(store(), lang)
        reply = acknowledged(composer, tracker) or reasons_asked(composer, tracker) or self.answer(composer, tracker)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
        events: list[EventType] = [SlotSet("language", lang), SlotSet("answer_entries", reply.entries or None)]
        if self.topic:
            events.append(SlotSet("topic", self.topic))
        return events


def acknowledged(composer: Composer, tracker: Tracker) -> Answer | None:
    """An invitation to go on, for a message that only acknowledges ("ok", "vale"), however the NLU read it (it took
    "ok" for a goodbye). None for any other message."""
    if composer.store.says_only("acknowledge", tracker.latest_message.get("text") or "", composer.lang):
        return Answer(composer.t("smalltalk.acknowledge"))
    return None


def reasons_asked(composer: Composer, tracker: Tracker) -> Answer | None:
    """ "why?" ("¿por qué PyTorch?") right after advice, however the NLU read it: the facts the advice rests on. None
    for any other message."""
    shown = tracker.get_slot("answer_entries") or []
    if not shown or composer.store.recommendation_rule(shown[0]) is None:  # read from memory, for every message
        return None
    question = context.question(tracker)
    if not composer.store.asks_only("why", question.text, question.search_language, question.tokens):
        return None
    rule = composer.store.recommendation(shown[0], composer.lang)
    if rule is None or set(question.subjects) - {rule.framework}:  # "why not keras?" asks about another
        return None
    return composer.reasons(rule)


class SmallTalk(AnswerAction):
    def name(self) -> str:
        return "action_smalltalk"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        intent = tracker.latest_message["intent"]["name"]
        # "how do I install it?" after "tell me about PyTorch", taken for out of scope: "it" is the conversation's
        # subject; not in thanks or greetings ("thanks, it helped a lot" is no question about PyTorch's community)
        text = tracker.latest_message.get("text") or ""
        refers = intent in SEARCHED_SMALL_TALK and composer.store.asks_for("refers", text, composer.lang)
        question = context.question(tracker, carry_subjects=refers)
        if intent == "out_of_scope" and advice_told(composer, tracker, question):
            # "en la fábrica vamos a montar control de calidad por visión artificial, ¿qué framework nos conviene?"
            return Recommend().answer(composer, tracker)
        if intent in SEARCHED_SMALL_TALK and composer.store.asks_for("code", question.text, question.search_language):
            # code asked for in so many words ("… ¿cómo genero el .tflite? pásame el código"): the snippet, or "no
            # checked snippet for that" with the tasks there are, as for any request for code
            return ShowCode().answer(composer, tracker)
        return composer.smalltalk(intent, question)


def advice_told(composer: Composer, tracker: Tracker, question: Question) -> bool:
    """Whether a message the NLU did not take for a request for advice asks which framework to choose ("¿qué framework
    nos conviene?") and tells a goal, an experience or an aspect to choose by; or sets two frameworks against each other
    and tells the user's experience ("ya controlo sklearn y quiero curro, ¿aprendo tf o pytorch primero?"): without it,
    the frameworks' comparison on the point told answers ("pytorch or tensorflow for fine-tuning llms?")."""
    text, lang = question.text, question.search_language
    if composer.store.chooses_among_frameworks(text, lang) and context.entity_values(tracker, "experience"):
        return True
    told = any(context.entity_values(tracker, entity) for entity in ("goal", "experience", "aspect"))
    return told and composer.store.asks_for("advice", text, lang)


class LowConfidence(AnswerAction):
    def name(self) -> str:
        return "action_low_confidence"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        entities = {name: context.entity_values(tracker, name) for name in ("framework", "aspect", "task", "concept")}
        if context.is_follow_up(tracker) and entities["aspect"] and not context.subjects_named(tracker):
            # "and for deployment?" with no answer before it to follow (data/rules.yml): the frameworks on that point
            return Compare().answer(composer, tracker)
        question = context.question(tracker)
        if advice_told(composer, tracker, question):  # "ya manejo sklearn y quiero conseguir pega, ¿con cuál parto?"
            return Recommend().answer(composer, tracker)
        ranking = tracker.latest_message.get("intent_ranking") or []
        return composer.low_confidence(question, ranking, entities)


class Define(AnswerAction):
    topic = "definition"

    def name(self) -> str:
        return "action_define"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        question = context.question(tracker, carry_subjects=context.is_follow_up(tracker))
        # "¿qué es JAX? lo vi en un tutorial de Keras" asks about one subject, though it names two
        named = question.part.subjects if question.part else context.subjects_named(tracker)
        return composer.define(question, named)


class Fact(AnswerAction):
    topic = "fact"

    def name(self) -> str:
        return "action_fact"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        reply = composer.fact(context.question(tracker, carry_subjects=True))
        if not reply.entries and advice_told(composer, tracker, context.question(tracker)):
            # no fact answers "quiero usar jax y tpus, ¿cuál de los tres elijo?": it asks which to choose, and tells why
            return Recommend().answer(composer, tracker)
        return reply


class Compare(AnswerAction):
    topic = "compare"

    def name(self) -> str:
        return "action_compare"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        question = context.question(tracker, carry_subjects=not context.wants_all(tracker))
        asked = question.part or question
        frameworks = [subject for subject in asked.subjects if composer.store.is_framework(subject)]
        if len(frameworks) < 2 and composer.store.asks_for("definition", asked.text, asked.search_language):
            return Define().answer(composer, tracker)  # "¿qué es JAX? lo vi en un tutorial de Keras"
        return composer.compare(question)


class ShowCode(AnswerAction):
    topic = "code"

    def name(self) -> str:
        return "action_show_code"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        everything = context.wants_all(tracker)
        frameworks = [] if everything else context.code_subjects(tracker, store().code_subjects())
        task = context.current(tracker, "task")
        if not task and everything:  # "the same thing in all three"
            task = tracker.get_slot("task")
        default = "define_model" if frameworks else None  # "What is Keras?" then "show me an example"
        return composer.code_for(context.question(tracker), frameworks, task, default)


class Recommend(AnswerAction):
    topic = "recommendation"

    def name(self) -> str:
        return "action_recommend"

    def answer(self, composer: Composer, tracker: Tracker) -> Answer:
        goal = tracker.get_slot("goal")
        aspects = context.entity_values(tracker, "aspect")
        compared = tracker.get_slot("topic") == Compare.topic and len(tracker.get_slot("frameworks") or []) >= 2
        if compared and aspects and not goal and not context.subjects_named(tracker):
            # "PyTorch vs TensorFlow for deployment?" then "which one is faster?": the pair compared on that point
            return composer.compare(context.question(tracker, carry_subjects=True))
        for aspect in [] if goal else aspects:  # "I want to deploy models"
            goal = goal or store().goal_implied_by(aspect)
        return composer.recommend(context.question(tracker), tracker.get_slot("experience"), goal)


class RateAnswer(Action):
    """Records a rating with the answer it rates (actions/ratings.py) and thanks; sets no other slot, so the
    dialogue goes on as if the rating had not been sent."""

    def name(self) -> str:
        return "action_rate_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = context.language(tracker)
        t = Strings(lang)
        thumb, reason = ratings.rating_of(tracker.latest_message)
        answer = ratings.rated_answer(
            tracker.events, tracker.get_slot("last_rating"), tracker.get_slot("answer_entries")
        )
        if answer is None:
            dispatcher.utter_message(text=t("rating.nothing_yet"))
            return []
        dispatcher.utter_message(text=t(ratings.reply_key(thumb, reason)))
        return [SlotSet("last_rating", ratings.record(answer, thumb, reason, lang))]
