"""Answers composed from knowledge-store data: Markdown text plus buttons, in one language.

Channels decide how to show them (bot/); nothing here knows about Rasa or a channel.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from actions.i18n import Strings
from knowledge import settings
from knowledge.store import OVERVIEW_ASPECTS, Claim, Hit, KnowledgeStore, Recommendation

# Confidence of the best match (knowledge/store.py: the weighted share of the question the entry covers):
# at or above ANSWER the entry is the answer; down to DID_YOU_MEAN its question is offered; below, "I don't
# have that". ANSWER is chosen on development questions by `python -m tools.quality.answers --calibrate`
# (reports/calibration.md), never on the held-out set; ANSWER_THRESHOLD overrides it for that run only.
ANSWER = float(settings.value("ANSWER_THRESHOLD"))  # reports/calibration.md
DID_YOU_MEAN = min(0.35, ANSWER - 0.1)
# Where the message points away from an answer, the best entry must be clearer still: a question the NLU took as out
# of scope or as a request for help ("para qué sirve el dropout" can read as asking what the bot is for). Chosen on the
# development questions: 0.7 until the index held the informal and situational phrasings; since then, long questions
# the NLU takes as out of scope reach 0.6 when answered right (against 0.7: 1 more right of the development
# questions, 3 more of 324 new ones, 2 of the check set read as a summary; 1 more `none` one answered). 0.5 answered
# 3 more right and 1 more `none`.
ANSWER_CLEARLY = 0.6
# A fact offered for a request for advice must be clearer than that: "soy nuevo y quiero aprender deep learning, ¿con
# cuál empiezo?" wants the advice for beginners, not the fact that concepts come before frameworks (0.7, as before).
FACT_FOR_ADVICE = 0.7
# A goal read from the rules of advice the search found, for a user who told their experience but whose goal the NLU
# missed: the best fitting rule at least this confident and this far ahead of one for another goal (development
# questions: +1, none lost; check set: no change; 0.33 and no lead changed one more, to another wrong rule).
GOAL_FOUND, GOAL_LEAD = 0.4, 0.05
SEARCHED_SMALL_TALK = ("help", "out_of_scope")  # small talk that may be a question the NLU did not recognise
# ... and any small talk this many words long or longer, which is no greeting or thanks ("my training loss keeps going
# down but validation loss goes up, what's happening" was taken for a greeting)
SMALL_TALK_WORDS = 4
GREETINGS = ("greet", "goodbye", "thank")  # small talk that is never a question, however long, unless it asks for
CODE_ASKING = ("code", "howto")  # kinds of question a task's snippet may answer, however the NLU read them
ASKING_KINDS = ("number", "date", "who")  # one of these kinds of answer (knowledge/sources/asking_phrases.yml)
FACT_ASKING = ("why", "check", *ASKING_KINDS)  # ... or why, or how to tell whether: what a fact tells, not a snippet
# Below the threshold, the best entry is still the answer when it is at most LEAD_BELOW under it and at least
# LEAD ahead of the next entry ("que significa epoch cuando entrenas una red": 0.44 against 0.28), chosen on
# the development questions like ANSWER.
LEAD_BELOW = 0.1
# The best entry lacks a specific word (knowledge/store.py) weighing at least MISSING of the question: it is about
# something near ("does torch.compile work on windows?" -> what torch.compile is), so it is offered, not given.
MISSING = 0.2
# The task the NLU named is given though its snippet lacks a specific word of the request ("define a model with the
# keras functional api"), unless that word weighs at least TASK_MISSING: the request is about it ("gradient clipping
# code in pytorch" is no custom training step). On the development questions 0.2 lost six code requests.
TASK_MISSING = 0.5
# ... or at least TASK_MISSING_KEY when it is the request's weightiest word ("un snippet de keras para validación
# cruzada k-fold" is no evaluation). 0.3 refused 3 more `none` code requests of the check set and lost one right answer
# of the development questions; 0.2 lost five.
TASK_MISSING_KEY = 0.3
LEAD = 0.2
# A question naming no framework, answered nearly as well by one framework's entry as by another's ("how do I install
# it?", "who made it?"): it asks which framework, with each one's question as a button.
SAME_FOR_EACH = 0.05
RELATED = 0.45  # a further question offered as a button
NEAREST = 0.2  # a topic offered next to "I don't have that"
CODE_MARGIN = 0.05  # asked for code, a fact is the answer only when it covers the question clearly better
MAX_EXTRA_POINTS = 2
MAX_REASONS = 3  # facts shown for "why?" after advice
MAX_RELATED = 3
ANSWERABLE = ("fact", "comparison", "recommendation", "overview")  # code only when code is asked for
ADVICE = ("recommendation", "comparison")
RELATIONSHIP = "relationship"
DEFINING = ("definition", RELATIONSHIP)
ANY = "any"
# Intents the buttons' payloads ask for (tests/test_actions.py checks them against domain.yml).
ASK_CODE = "ask_code"
INFORM = "inform"
BUTTON_INTENTS = (ASK_CODE, INFORM)


@dataclass
class Answer:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)  # the knowledge entries it answers with, best first


@dataclass
class Question:
    """What the user asked, as the NLU understood it."""

    text: str
    search_language: str  # the language the NLU lemmatised the text in
    tokens: list[tuple[str, str]] | None = None  # (surface, lemma) from the NLU; None: lemmatise here
    subjects: list[str] = field(default_factory=list)  # frameworks and concepts named, or carried over
    aspects: list[str] = field(default_factory=list)
    part: Question | None = None  # the sentences that ask, in a message that also tells ("¿qué es JAX? lo vi en...")
    named_at: dict[str, int] = field(default_factory=dict)  # where in `text` each subject named is first named
    entities: tuple[str, ...] = ()  # the kinds of entity the NLU found in it ("experience", "goal", "task"…)
    untold: list[tuple[str, str]] | None = None  # its tokens outside the NLU's entities but subjects; None: unknown


def intent_payload(intent: str, **entities: object) -> str:
    """A button payload that Rasa reads as this intent with these entities, whatever the language."""
    present = {name: value for name, value in entities.items() if value}
    return f"/{intent}{json.dumps(present, ensure_ascii=False)}" if present else f"/{intent}"


class Composer:
    """Turns knowledge into answers for one user language."""

    def __init__(self, store: KnowledgeStore, lang: str) -> None:
        self.store = store
        self.lang = lang
        self.t = Strings(lang)
        self.frameworks = store.frameworks()  # in the knowledge base's order

    # --- shared pieces -------------------------------------------------------------------------
    def claim_lines(self, claims: list[Claim]) -> list[str]:
        """Each claim with its source; newer claims that update it follow, so the user sees both."""
        lines = []
        for claim in claims:
            lines.append(f"- {claim.text} _({self._cite(claim)})_")
            for newer in claim.newer:
                lines.append(f"  - {self.t('claims.update', date=newer.date)} {newer.text} _({self._cite(newer)})_")
        return lines

    def _cite(self, claim: Claim) -> str:
        return self.t("claims.source", publisher=claim.source.publisher, date=claim.date)

    def name(self, subject: str) -> str:
        return self.store.subject_name(subject, self.lang)

    def examples(self) -> list[dict[str, str]]:
        return [dict(item) for item in self.t.raw("examples")]

    # --- answers found by search ---------------------------------------------------------------
    def search(self, question: Question, **options) -> list[Hit]:
        """What answers the question, found in the reading of it that `reading` chooses (same options)."""
        return self.reading(question, **options)[1]

    def reading(
        self,
        question: Question,
        *,
        kinds: Iterable[str],
        prefer_kinds: Iterable[str] = (),
        prefer_aspects=(),
        asked_first: bool = False,
    ) -> tuple[Question, list[Hit]]:
        """The reading of the question to answer, with what it finds. In a message that asks in one sentence and
        tells in another, the asking sentences alone, when what they find is clear: if the whole message finds nothing
        clear, or first with `asked_first` (a definition: "¿qué es JAX? lo vi en un tutorial de Keras" asks what JAX
        is, and the rest only tells a story). Else the whole message: "tengo una gráfica intel. ¿qué versión de
        pytorch instalo?" needs what it told."""
        overview = self.overview_asked(question) if "overview" in kinds else None
        if overview is not None:  # "dame una visión general de PyTorch, de dónde viene y cómo encaja con lo demás"
            hits = self._search(question, kinds, prefer_kinds, prefer_aspects)
            return question, [overview, *(hit for hit in hits if hit.entry != overview.entry)]
        whole: list[Hit] | None = None
        if question.part is not None and not asked_first:
            whole = self._search(question, kinds, prefer_kinds, prefer_aspects)
            if self.clear(whole):
                return question, whole
        # ... unless the asking sentence says nothing but the subjects named ("¿qué estoy haciendo mal?" after a story
        # about TensorFlow not finding the GPU is not "what is TensorFlow")
        if question.part is not None and (asked_first or self._says_more_than_names(question.part)):
            asked = self._search(question.part, kinds, prefer_kinds, prefer_aspects)
            if self.clear(asked):
                return question.part, asked
        return question, whole if whole is not None else self._search(question, kinds, prefer_kinds, prefer_aspects)

    def _says_more_than_names(self, question: Question) -> bool:
        """Whether a question holds a search word besides the subjects it names."""
        terms = self.store.query_terms(question.text, question.search_language, question.tokens)
        return any(not term.startswith("subj") for term in terms)

    def overview_asked(self, question: Question) -> Hit | None:
        """The overview of the subject an overview is asked of (knowledge/sources/asking_phrases.yml), when the
        knowledge base has it: the first subject named after the asking phrase ("an overview of TensorBoard and how it
        relates to Keras"), else the last named before it ("trabajo con jax, ¿me haces un repaso general?")."""
        at = self.store.asked_at("overview", question.text, question.search_language)
        if at is None:
            return None
        named = sorted(
            (position, subject)
            for subject, position in self.named_at(question).items()
            if self.store.entry(f"about:{subject}") is not None
        )
        after = [subject for position, subject in named if position >= at]
        before = [subject for position, subject in named if position < at]
        subject = after[0] if after else before[-1] if before else None
        return self.store.asked_hit(f"about:{subject}", question.search_language) if subject else None

    def named_at(self, question: Question) -> dict[str, int]:
        """Where each subject the message names is first named: by the NLU's entities, else by its names."""
        return {**self.store.named_at(question.text, question.search_language), **question.named_at}

    def _search(
        self, question: Question, kinds: Iterable[str], prefer_kinds: Iterable[str], prefer_aspects
    ) -> list[Hit]:
        vague = self.says_nothing(question)
        if vague and not self.points_elsewhere(question):
            return []
        hits = self.store.search(
            question.text,
            question.search_language,
            tokens=question.tokens,
            subjects=question.subjects,
            kinds=kinds,
            prefer_kinds=prefer_kinds,
            prefer_aspects=[*question.aspects, *prefer_aspects],
        )
        # a vague message pointing at something ("is it free?"): which framework it means, when each has the answer
        return [] if vague and not (hits and self._framework_choice(self._distinct(hits))) else hits

    def says_nothing(self, question: Question) -> bool:
        """A message of a word or two in which the NLU found nothing (no subject, aspect, level, goal or task) and that
        holds no specific word (knowledge/store.py `says_nothing`): no entry sharing its word answers it, though
        entries about different frameworks may, for a message pointing at one it does not name (`_search`). "tell me
        more" found what fine-tuning is, "in english please" what AI is, "¿quién eres?" who made the three frameworks;
        "popularity?" or "soy principiante" are answered by what the NLU found."""
        if question.subjects or question.aspects or question.entities:
            return False
        return self.store.says_nothing(question.text, question.search_language, question.tokens)

    def says_only_entities(self, question: Question) -> bool:
        """Whether a message holds no search word but its subjects and the other entities the NLU found in it ("I'm a
        beginner"; not "I'm new to deep learning")."""
        if question.untold is None:
            return False
        return not self.store.query_terms("", question.search_language, question.untold)

    @staticmethod
    def refused(hit: Hit) -> bool:
        """Whether an entry is never the answer, only offered: it mentions what the question is most about only in
        passing ("what is TensorRT?" is not answered by what Triton is), lacks a specific word that weighs much, or
        gives no number, date or maker where one is asked for ("how many models are on the Hugging Face Hub?", "who
        founded Hugging Face?")."""
        return hit.key_in_passing or hit.missing >= MISSING or hit.lacks_asked

    def clear(self, hits: list[Hit], threshold: float = ANSWER) -> bool:
        """Whether the best entry answers the question: confident enough, or nearly so and well ahead; never when
        it only mentions what the question is most about ("what is TensorRT?" is not answered by what Triton is,
        though Triton's statement names TensorRT)."""
        if not hits or self.refused(hits[0]):
            return False
        top = hits[0].confidence
        if top >= threshold:
            return True
        runner_up = max((hit.confidence for hit in self._distinct(hits)[1:]), default=0.0)
        # Nearly so: only an entry holding the question's weightiest word ("int8" in "how do I quantize a model to
        # int8 in keras" is in none, so LoRA's mention of quantised models does not win by a lead).
        return top >= threshold - LEAD_BELOW and top - runner_up >= LEAD and hits[0].has_key

    def answer(
        self,
        hits: list[Hit],
        *,
        threshold: float = ANSWER,
        unknown: Answer | None = None,
        question: Question | None = None,
    ) -> Answer:
        """The best entry as the answer when it is clear enough, else "Did you mean", else "I don't have it"."""
        if self.clear(hits, threshold):
            return self.entry_answer(hits, question)
        # "Did you mean" offers what is about the same thing: an entry without the question's weightiest word
        # ("invertir" in "¿me conviene invertir en acciones de Nvidia?") is not offered for it.
        candidates = self._distinct([hit for hit in hits if hit.confidence >= DID_YOU_MEAN and hit.has_key])
        candidates = candidates[:MAX_RELATED]
        if candidates:
            return Answer(self.t("answer.did_you_mean"), self._question_buttons(candidates))
        if unknown is not None:
            return unknown
        nearest = [hit for hit in self._distinct(hits) if hit.confidence >= NEAREST][:2]
        if nearest:
            return Answer(self.t("answer.unknown_nearest"), self._question_buttons(nearest))
        return Answer(self.t("answer.unknown"), self.examples())

    def entry_answer(self, hits: list[Hit], question: Question | None = None) -> Answer:
        """The top entry first; close runners-up of the same kind as extra points; other good matches as
        questions to ask next. For a question pointing at a subject it does not name, which framework it means, when
        entries about different frameworks answer it alike."""
        ranked = self._distinct(hits)
        each = self._framework_choice(ranked) if question is not None and self.points_elsewhere(question) else []
        if each:
            return Answer(self.t("fact.ask_framework"), self._question_buttons(each))
        top = hits[0]
        extras = [
            hit
            for hit in ranked[1:]
            if hit.kind == top.kind and hit.confidence >= ANSWER and hit.score >= top.score - 0.03
        ][:MAX_EXTRA_POINTS]
        if top.kind in ("task", "overview", "recommendation"):
            extras = []
        text = self.render_entry(top.entry)
        for hit in extras:
            text += "\n\n" + self.render_entry(hit.entry, history=False)
        shown = {top.chain, *(hit.chain for hit in extras)}
        related = [
            hit
            for hit in ranked
            if hit.chain not in shown and hit.confidence >= RELATED and set(hit.subjects) & set(top.subjects)
        ][:MAX_RELATED]
        entries = [top.entry, *(hit.entry for hit in extras)]
        if top.kind == "overview":  # it answers with the claims it shows, its definition first
            entries += [claim.id for claim in self.overview_claims(top.subjects[0])]
        return Answer(text, self._question_buttons(related), entries)

    def points_elsewhere(self, question: Question) -> bool:
        """Whether a message points with a pronoun at a subject that neither it nor the conversation names ("is it
        free?" said first; knowledge/sources/asking_phrases.yml, `refers`)."""
        return not question.subjects and self.store.asks_for("refers", question.text, question.search_language)

    def _framework_choice(self, ranked: list[Hit]) -> list[Hit]:
        """The best entry of each framework, when entries about one framework each answer the question within
        SAME_FOR_EACH of the best and about two frameworks or more: the question names none ("is it open source?";
        an entry about a framework the question does not name weighs OTHER_SUBJECT less), and the knowledge base
        answers it for each. Else none."""
        top = ranked[0]
        if top.kind not in ("fact", "overview"):
            return []
        best: dict[str, Hit] = {}
        for hit in ranked:
            if hit.confidence < top.confidence - SAME_FOR_EACH:
                break
            single = [subject for subject in hit.subjects if self.store.is_framework(subject)]
            if hit.kind in ("fact", "overview") and len(hit.subjects) == 1 and single and not self.refused(hit):
                best.setdefault(single[0], hit)
        first = [subject for subject in top.subjects if self.store.is_framework(subject)]
        return list(best.values()) if len(best) > 1 and len(top.subjects) == 1 and first else []

    def render_entry(self, entry_id: str, history: bool = True) -> str:
        info = self.store.entry(entry_id)
        kind = info.kind if info else ""
        if kind in ("fact", "comparison"):
            return self._claim_text(entry_id, history)
        if kind == "recommendation":
            found = self.store.recommendation(entry_id, self.lang)
            return f"{found.text} _({self._cite_source(found.source)})_"
        if kind == "overview":
            return self.overview(info.subjects[0])
        if kind == "task":
            return self.code([], entry_id.split(":", 1)[1]).text
        return ""

    def _claim_text(self, entry_id: str, history: bool) -> str:
        lead, older = self.store.current_claim(entry_id, self.lang)
        text = f"{lead.text} _({self._cite(lead)})_"
        if history and older is not None and older.id != lead.id:
            text += "\n\n" + self.t(
                "answer.history", publisher=older.source.publisher, date=older.date, text=older.text
            )
        if lead.aspect == "speed":
            text += "\n" + "\n".join(self.measured_speed(list(self.frameworks))).rstrip()
        return text

    def overview(self, subject: str) -> str:
        """The short overview of one subject, for "tell me about PyTorch"."""
        claims = self.overview_claims(subject)
        return "\n".join([self.t("define.heading", name=self.name(subject)), *self.claim_lines(claims)])

    def overview_claims(self, subject: str) -> list[Claim]:
        """What an overview shows: the subject's definition, origin and relationship, the first of each."""
        claims = []
        for aspect in OVERVIEW_ASPECTS:
            found = self.store.facts(subject, self.lang, aspect)
            if found:
                claims.append(found[0])
        return claims[:3]

    def _distinct(self, hits: list[Hit]) -> list[Hit]:
        """One hit per update chain (an old claim and its update answer the same question)."""
        seen: set[str] = set()
        kept = []
        for hit in hits:
            if hit.chain not in seen:
                seen.add(hit.chain)
                kept.append(hit)
        return kept

    def _question_buttons(self, hits: list[Hit]) -> list[dict[str, str]]:
        """Each entry's question nearest to what was asked, as a button that asks it."""
        buttons = []
        for hit in hits:
            asked = self.store.questions(hit.entry, self.lang)  # the reply's language may differ from the search's
            question = hit.question if hit.question in asked else next(iter(asked), "")
            if question:
                buttons.append({"title": question, "payload": question})
        return buttons

    def _cite_source(self, source) -> str:
        return self.t("claims.source", publisher=source.publisher, date=source.date)

    # --- answers -------------------------------------------------------------------------------
    def smalltalk(self, intent: str, question: Question | None = None) -> Answer:
        """The small-talk reply (or the polite refusal of what is out of scope), unless the message is a question
        the knowledge base clearly answers: the NLU can take "latest pytorch version" for a goodbye or "what is
        JAX?" for out of scope. Clearly: as clear as any answer for other small talk that names a subject the
        knowledge base has; clearer still for out of scope or help ("¿cuánto vale Hugging Face como empresa?" names
        one); never for other small talk that names none ("thanks" would find "Thanks to its layered structure, deep
        learning…"). What names a subject the knowledge base has is never refused as out of scope: short of an
        answer, it gets the nearest questions."""
        terms = self.store.query_terms(question.text, question.search_language, question.tokens) if question else []
        named = question is not None and (bool(question.subjects) or any(t.startswith("subj") for t in terms))
        # Searched: small talk that may be a question, is long, or holds a word only the knowledge base's entries
        # state ("did executorch ever leave beta" was taken for a goodbye). A request for help that names no subject
        # and holds no such word is one: "help", "¿me ayudas?" or "qué puedes hacer?" get the help reply, not the fact
        # that PyTorch's community helps its users
        specific = not named and any(self.store.is_specific(term, question.search_language) for term in terms)
        may_ask = intent in SEARCHED_SMALL_TALK and (intent != "help" or named or specific)
        searched = may_ask or len(terms) >= SMALL_TALK_WORDS or specific
        if question is not None and (named or searched):  # "thanks" is no question
            hits = self.search(question, kinds=(*ANSWERABLE, "task"))
            threshold = ANSWER_CLEARLY if searched else ANSWER
            if self.clear(hits, threshold):
                if hits[0].kind != "task":
                    return self.entry_answer(hits, question)
                # a how-to not taken for a code request: in the frameworks it names; never for what something is
                # ("¿qué es el warmup del learning rate?": the learning-rate snippet warms up, it does not say what)
                if not self.store.asks_for("definition", question.text, question.search_language):
                    return self.code(question.subjects, hits[0].aspect)
                hits = [hit for hit in hits if hit.kind != "task"]
            # About a subject we know: "did you mean", never "outside what I know"; nor "I'm a bot" for a longer
            # message ("¿hay capa de multi-head attention ya hecha en keras o la tengo que programar yo?")
            if named and intent == "out_of_scope":
                return self.answer(hits, question=question)
            # ... nor "bye" to a message asking for a number, a date or a maker ("how long does it take to learn
            # pytorch" was taken for a goodbye)
            asks = any(self.store.asks_for(kind, question.text, question.search_language) for kind in ASKING_KINDS)
            if named and (asks or (intent not in GREETINGS and len(terms) >= SMALL_TALK_WORDS)):  # not clear, as above
                return self.answer(hits, threshold=threshold, question=question)
            # About what an entry is most about, though it names no subject, or holding a word only the knowledge
            # base's entries state ("torchvision", "coremltools"): "did you mean", the nearest topics or "I don't have
            # that yet", at the same clear bar, never "outside what I know" ("tengo una demo el lunes, qué framework
            # uso?", "how do i get a pretrained faster rcnn from torchvision")
            about = bool(hits) and hits[0].has_key and hits[0].confidence >= DID_YOU_MEAN
            if intent == "out_of_scope" and (about or specific):
                return self.answer(hits, threshold=threshold, question=question)
        with_examples = intent in ("greet", "help", "out_of_scope")
        return Answer(self.t(f"smalltalk.{intent}"), self.examples() if with_examples else [])

    def low_confidence(self, question: Question, ranking: list[dict], entities: dict[str, list[str]]) -> Answer:
        hits = self.search(question, kinds=ANSWERABLE)
        code = self.code_asked(question, hits)
        if code is not None:
            return code
        return self.answer(hits, unknown=self._intent_offer(ranking, entities), question=question)

    def code_asked(self, question: Question, hits: list[Hit] | None = None) -> Answer | None:
        """The snippet of a task, when the message asks for code in so many words or how to do something
        (knowledge/sources/asking_phrases.yml: "torch.compile example please", "dame un ejemplo de torch.compile",
        "cómo hago un scheduler de learning rate en pytorch") though the NLU read something else, and the task covers
        it clearly, at least as well as the best of `hits`; else None."""
        if not any(self.store.asks_for(kind, question.text, question.search_language) for kind in CODE_ASKING):
            return None
        if hits is None:  # the facts it must cover at least as well as
            hits = self.search(question, kinds=ANSWERABLE)
        tasks = self._search(question, ("task",), (), ())
        if self.clear(tasks) and (not hits or tasks[0].confidence >= hits[0].confidence):
            return self.code(question.subjects, tasks[0].aspect)
        return None

    def _intent_offer(self, ranking: list[dict], entities: dict[str, list[str]]) -> Answer:
        titles = self.t.raw("intent_titles")
        likely = [item["name"] for item in ranking if item.get("name") in titles and item.get("confidence", 0) >= 0.1][
            :3
        ]
        if not likely:
            return Answer(self.t("low_confidence.rephrase"), self.examples())
        buttons = [{"title": titles[name], "payload": intent_payload(name, **entities)} for name in likely]
        return Answer(self.t("low_confidence.offer"), buttons)

    def define(self, question: Question, named: list[str]) -> Answer:
        """A definition, never code unless code is asked for in so many words (`code_asked`). Two subjects named
        ("deep learning vs machine learning"): one each, unless one entry relates them, or states a fact on something
        else than what they are, and answers clearly ("¿el machine learning es parte de la IA?", "el DataLoader de
        pytorch que batch size tiene por defecto")."""
        hits = self.search(
            question, kinds=ANSWERABLE, prefer_kinds=("fact",), prefer_aspects=DEFINING, asked_first=True
        )
        code = self.code_asked(question, hits)
        if code is not None:
            return code
        both = (
            self.clear(hits)
            and (hits[0].aspect == RELATIONSHIP or (hits[0].kind == "fact" and hits[0].aspect not in DEFINING))
            and self.store.about_all(hits[0].entry, question.search_language, named)
        )
        # An overview asked of one of them ("an overview of TensorBoard and how it relates to Keras") is one answer
        asked_overview = bool(hits) and hits[0].kind == "overview" and hits[0] == self.overview_asked(question)
        if len(named) >= 2 and not both and not asked_overview:
            parts, entries = [], []
            for subject in named:
                one = Question(question.text, question.search_language, question.tokens, [subject], [])
                hits = [h for h in self.search(one, kinds=("fact",), prefer_aspects=DEFINING) if subject in h.subjects]
                if hits:
                    parts.append(f"**{self.name(subject)}**: {self.render_entry(hits[0].entry, history=False)}")
                    entries.append(hits[0].entry)
            if parts:
                return Answer("\n\n".join(parts), [], entries)
        if not hits and self.points_elsewhere(question):  # "what is it?" said first: which one is meant
            return Answer(self.t("define.unknown"))
        hits = self._with_overview_first(hits)
        answer = self.answer(hits, question=question)
        if answer.entries and hits[0].kind == "fact" and self.store.is_framework(hits[0].subjects[0]):
            framework = hits[0].subjects[0]  # "What is PyTorch?" -> offer its code
            button = {
                "title": self.t("define.example_button", name=self.name(framework)),
                "payload": intent_payload(ASK_CODE, framework=framework),
            }
            answer.buttons = [button, *answer.buttons][:MAX_RELATED]
        return answer

    def _with_overview_first(self, hits: list[Hit]) -> list[Hit]:
        """A subject's definition that answers "what is X" comes as X's short overview, which opens with that very
        definition and adds where X comes from and how it relates to the rest (one or two lines). So does an
        overview that covers the question better than the defining facts preferred to it ("dame un resumen sobre
        el deep learning")."""
        better = [hit for hit in hits[1:] if hit.kind == "overview" and hits and hit.confidence > hits[0].confidence]
        if better:
            return [better[0], *(hit for hit in hits if hit is not better[0])]
        if not self.clear(hits) or hits[0].kind != "fact" or hits[0].aspect != "definition":
            return hits
        subject = hits[0].subjects[0]
        overview = next((hit for hit in hits if hit.entry == f"about:{subject}"), None)
        opens = [claim.id for claim in self.overview_claims(subject)[:1]] == [hits[0].entry]
        if overview is None or not opens:
            return hits
        # it answers as the definition it opens with: what the overview's other lines lack does not refuse it ("que es
        # el learning rate en el descenso de gradiente": the definition says, the overview's origin does not)
        top = hits[0]
        shown = replace(
            overview,
            confidence=max(overview.confidence, top.confidence),
            score=max(overview.score, top.score),
            has_key=top.has_key,
            key_in_passing=top.key_in_passing,
            missing=top.missing,
            lacks_asked=top.lacks_asked,
        )
        return [shown, *(hit for hit in hits if hit is not overview)]

    def fact(self, question: Question) -> Answer:
        """A fact; about two frameworks named at once ("do pytorch and tensorflow run on windows?"), their
        comparison first."""
        if len([s for s in question.subjects if self.store.is_framework(s)]) >= 2:
            return self.compare(question)
        return self.answer(self.search(question, kinds=ANSWERABLE, prefer_kinds=("fact",)), question=question)

    def compare(self, question: Question) -> Answer:
        """The comparison that answers the question; for a pair with no comparison on that point, what each
        framework is known for on it."""
        overall = () if question.aspects else ("general",)  # "compare them": the overall comparison on a tie
        named = [s for s in question.subjects if self.store.is_framework(s)]
        hits = []
        if len(named) >= 2:  # "tensorflow vs pytorch para móviles": their comparison before any advice
            hits = [
                hit
                for hit in self.search(question, kinds=("comparison",), prefer_aspects=overall)
                if set(named) <= set(hit.subjects)
            ]
        if not self.clear(hits):
            hits = self.search(question, kinds=ANSWERABLE, prefer_kinds=("comparison",), prefer_aspects=overall)
        others = set(self.named_at(question)) - set(named)
        # Never the comparison of another pair: "jax vs pytorch speed" is not answered by Keras against PyTorch
        asked = {*named, *others}
        hits = [
            hit
            for hit in hits
            if not (
                hit.kind in ("comparison", "recommendation") and set(hit.subjects) - asked and asked - set(hit.subjects)
            )
        ]
        # Direct: about both frameworks, or about another subject the question names, the frameworks being where it
        # is asked of ("se puede hacer lora con keras o solo con pytorch?" is answered by where LoRA runs)
        direct = self.clear(hits) and (set(named) <= set(hits[0].subjects) or bool(others & set(hits[0].subjects)))
        if len(named) >= 2 and not direct:
            parts, entries = [], []
            for framework in named:
                one = Question(question.text, question.search_language, question.tokens, [framework], question.aspects)
                found = [h for h in self.search(one, kinds=("fact",)) if framework in h.subjects]
                if self.clear(found):
                    parts.append(f"**{self.name(framework)}**: {self.render_entry(found[0].entry, history=False)}")
                    entries.append(found[0].entry)
            if parts:
                return Answer("\n\n".join(parts), [], entries)
        return self.answer(hits, question=question)

    def measured_speed(self, frameworks: list[str]) -> list[str]:
        """Figures from `make measure`, cited next to what the sources claim about speed."""
        report = self.store.speed_report()
        if report is None:
            return ["", self.t("speed.not_measured")]
        lines = [
            "",
            self.t("speed.measured", hardware=report.hardware, versions=report.versions, date=report.measured_on),
        ]
        workloads = dict.fromkeys(figure.workload for figure in report.figures)
        for workload in workloads:
            figures = [f for f in report.figures if f.workload == workload]
            asked = [f for f in figures if f.framework in frameworks]
            figures = asked if len(asked) >= 2 else figures
            for phase, column in (("train", "train_step_ms"), ("inference", "inference_batch_ms")):
                timed = sorted(figures, key=lambda f, column=column: getattr(f, column))
                fastest, slowest = timed[0], timed[-1]
                shown = self.t("compare.and").join(
                    self.t("speed.figure", name=self.name(f.framework), ms=f"{getattr(f, column):.2f}") for f in timed
                )
                lines.append(
                    self.t(
                        "speed.line",
                        workload=self.t(f"speed.workloads.{workload}"),
                        phase=self.t(f"speed.phases.{phase}"),
                        figures=shown,
                        fastest=self.name(fastest.framework),
                        ratio=f"{getattr(slowest, column) / getattr(fastest, column):.1f}",
                    )
                )
        return lines

    def code_for(self, question: Question, frameworks: list[str], task: str | None, default: str | None) -> Answer:
        """Code for the task the question is about (the task the NLU named counts as a hint: "export to ONNX"
        names the export task and ONNX's own), else the task named, else an honest "not that one". A request
        that names no task ("show me Keras code") gets the task named before, else `default`, else a choice."""
        if self.store.says_nothing_specific(question.text, question.search_language, question.tokens, "task"):
            if task or default:
                return self.code(frameworks, task or default)  # "What is Keras?" then "show me an example"
            return self.code(frameworks, None)
        # Tasks and facts weighed on one reading of the message: in "me pasas un ejemplo de entrenar una red en pytorch?
        # lo necesito para la práctica de mañana" the whole message finds the training task clearly; a fact its first
        # sentence alone finds must not beat that task
        read, _ = self.reading(question, kinds=("task", *ANSWERABLE), prefer_aspects=[task] if task else ())
        hits = self._search(read, ("task",), (), [task] if task else ())
        facts = self._search(read, ANSWERABLE, (), ())
        best_task = hits[0].confidence if hits else 0.0
        # asked why, or for a number, a date or who, which no snippet tells, without words asking for code: the fact
        # that gives it ("por qué se entrena con gpu y no con la cpu"; asking_phrases.yml `why`)
        lang = read.search_language
        code_words = self.store.asks_for("code", read.text, lang)
        fact_asked = not code_words and any(self.store.asks_for(kind, read.text, lang) for kind in FACT_ASKING)
        if self.clear(facts) and (
            facts[0].confidence > best_task + CODE_MARGIN or (fact_asked and not facts[0].lacks_asked)
        ):
            # "is TorchScript deprecated?": a fact answers it better than code
            return self.entry_answer(facts, question)
        if self.clear(hits) or (code_words and self._task_ahead(hits)):
            return self.code(frameworks, hits[0].aspect)
        if (
            task
            and hits
            and hits[0].aspect == task
            and hits[0].confidence >= DID_YOU_MEAN
            and hits[0].missing < (TASK_MISSING if hits[0].has_key else TASK_MISSING_KEY)
        ):
            # the NLU's task, when the search finds it first too and the request is not about a word it lacks
            return self.code(frameworks, task)
        return Answer(self.t("answer.no_task"), self._task_buttons(frameworks))

    def _task_ahead(self, hits: list[Hit]) -> bool:
        """Whether, code being asked for in so many words, the best task answers though it lacks a specific word:
        confident, at least LEAD ahead of the next task, and the word it lacks weighs less than TASK_MISSING ("logueo de
        la loss a tensorboard desde pytorch?? un ejemplito": "logueo" is no word of the TensorBoard snippet's). Not
        without the words: "how do i use gradient checkpointing in pytorch" is no request to save a model."""
        if not hits or hits[0].key_in_passing or hits[0].lacks_asked or hits[0].missing >= TASK_MISSING:
            return False
        runner_up = max((hit.confidence for hit in hits[1:]), default=0.0)
        return hits[0].confidence >= ANSWER and hits[0].confidence - runner_up >= LEAD

    def _task_buttons(self, frameworks: list[str]) -> list[dict[str, str]]:
        return [
            {"title": self.store.task_title(t, self.lang), "payload": self._code_payload(frameworks, t)}
            for t in self.store.tasks()
        ]

    def _code_payload(self, subjects: list[str], task: str) -> str:
        """ask_code for these subjects: frameworks as `framework` entities, another subject with code (JAX) as the
        one `concept` it is."""
        frameworks = [s for s in subjects if self.store.is_framework(s)]
        others = [s for s in subjects if s not in frameworks]
        return intent_payload(ASK_CODE, framework=frameworks, concept=next(iter(others), None), task=task)

    def code(self, frameworks: list[str], task: str | None) -> Answer:
        """The task's snippet in each framework asked for, or in another subject with code named (JAX); by
        default in the three frameworks."""
        if not task:
            return Answer(self.t("code.ask_task"), self._task_buttons(frameworks))
        frameworks = [f for f in self.store.code_subjects() if f in frameworks] or list(self.frameworks)
        title = self.store.task_title(task, self.lang)
        parts = []
        for framework in frameworks:
            snippet = self.store.snippet(framework, task, self.lang)
            reason = self.store.not_applicable(framework, task, self.lang)
            if snippet:
                key = "code.checked_backends" if framework == "keras" else "code.checked"  # one run per backend
                checked = self.t(key, versions=snippet.versions, date=snippet.checked_on)
                code = snippet.code.rstrip("\n")
                parts.append(
                    f"{self.t('code.heading', task=title, name=self.name(framework))}\n{checked}\n"
                    f"```python\n{code}\n```"
                )
            elif reason:
                parts.append(self.t("code.not_applicable", task=title, name=self.name(framework), reason=reason))
            else:
                parts.append(self.t("code.missing", task=title, name=self.name(framework)))
        buttons = []
        if len(frameworks) < len(self.frameworks):
            buttons.append(
                {
                    "title": self.t("code.all_three"),
                    "payload": intent_payload(ASK_CODE, framework=list(self.frameworks), task=task),
                }
            )
        # what the task's entry holds for a framework, its snippet or why there is none and what to use instead
        # ("PyTorch models are converted to LiteRT with litert-torch…"), answers; "no snippet for that" does not
        shown = any(
            self.store.snippet(f, task, self.lang) or self.store.not_applicable(f, task, self.lang) for f in frameworks
        )
        return Answer("\n\n".join(parts), buttons, [f"task:{task}"] if shown else [])

    def recommend(self, question: Question, experience: str | None, goal: str | None) -> Answer:
        """Advice at once: the rule for what the user told us, else the entry that answers the question, else
        the general advice; then, as optional buttons, what would tailor it. An overview asked for is no request for
        advice ("resumen de wsl, en el trabajo me dijeron que lo necesito"), nor is what something is, unless which
        framework is asked too ("¿qué es YOLO para detección de objetos?" gets what the knowledge base has on YOLO)."""
        if self.overview_asked(question) is not None:
            return self.entry_answer(self.search(question, kinds=ANSWERABLE), question)
        text, lang = question.text, question.search_language
        if self.store.asks_for("definition", text, lang) and not self.store.asks_for("advice", text, lang):
            return self.answer(self.search(question, kinds=ANSWERABLE), question=question)
        # A choice between other tools than the frameworks ("kserve o seldon core para servir modelos, ¿cuál elegimos?",
        # "yolov8 or detectron2 for object detection?"): what the knowledge base has on both, never a rule of advice
        if self.store.chooses_among_others(text, lang):
            return self.answer(self.search(question, kinds=ANSWERABLE), question=question)
        # how to do something, or code, asked for in so many words with no choice of framework ("¿me muestras cómo usar
        # un scheduler de learning rate en Pytorch?"): the task's snippet, when it covers the question clearly
        code = None if self.store.asks_for("advice", text, lang) else self.code_asked(question)
        if code is not None:
            return code
        if goal and self.named_at(question) and not self._asks_choice(question):
            # a goal named in a question about a subject that asks no choice ("¿me conviene servir mis modelos de
            # tensorflow con triton?" names production): the fact that answers it, when one does clearly, before the
            # rule for the goal; not a goal told alone ("quiero poner modelos en producción")
            hits = self.search(question, kinds=ANSWERABLE)
            if hits and hits[0].kind not in ADVICE and self.clear(hits, FACT_FOR_ADVICE):
                return self.entry_answer(hits, question)
        if not goal and not (experience and self.says_only_entities(question)):
            # the question itself may say what it is for ("quiero probar varios backends"); "soy principiante" says
            # the level only, and gets the advice for it whatever the goal, not the rule for beginners aiming at
            # research, whose phrasings say "soy principiante" too
            hits = self.search(question, kinds=ANSWERABLE, prefer_kinds=("recommendation",))
            rule = self.store.recommendation_rule(hits[0].entry) if hits else None
            fits = rule is None or not experience or rule[0] in (ANY, experience)
            # Advice was asked for: a fact must be clearer still to be the answer ("which gpu should i buy" is not
            # answered by what a GPU is).
            advice = bool(hits) and hits[0].kind in ADVICE
            threshold = ANSWER if advice else FACT_FOR_ADVICE
            # The user said who they are ("soy nuevo y quiero aprender, ¿con cuál empiezo?") and the question is
            # about choosing a framework (advice among the nearest entries, the best holding the question's weightiest
            # word: not "best running shoes for beginners"): the rule for them, though no entry matched well, and
            # unless a fact reaches the bar itself (not only by its lead).
            near = [hit for hit in self._distinct(hits)[:MAX_RELATED] if hit.confidence >= DID_YOU_MEAN]
            told = bool(experience) and bool(near) and near[0].has_key and any(h.kind in ADVICE for h in near)
            # ... and never a fact when they asked which framework in so many words ("no tengo experiencia, ¿qué
            # framework uso?" is not answered by the fact that concepts come before frameworks)
            asked = told and self.store.asks_for("advice", text, lang)
            reached = advice or not told or (hits[0].confidence >= threshold and not asked)
            if self.clear(hits, threshold) and fits and reached:
                answer = self.entry_answer(hits, question)
                if rule is not None:
                    answer.buttons = self._tailoring(experience or rule[0], rule[1], answer)
                return answer
            specific = not self.store.says_nothing_specific(
                question.text, question.search_language, question.tokens, "recommendation"
            )
            if specific and not told:
                # "which GPU should I buy?": no choice we know of
                return self.answer(hits, threshold=threshold, question=question)
            if told:  # "soy principiante pero mi meta es trabajar en una empresa…": the goal the search found
                goal = self._goal_found(hits, experience)
        by_level = self.store.rules_by_level(goal, self.lang) if goal and not experience else []
        if len({rule.framework for rule in by_level}) > 1:  # "quiero conseguir curro en la industria": it depends
            return self._advice_by_level(goal, by_level)
        found = self.store.recommend(experience, goal, self.lang)
        if found is None:
            return Answer(self.t("recommend.none"))
        who = ""
        if experience or goal:
            who = " " + self.t(
                "recommend.for_you",
                experience=self.t.raw("values.experience").get(experience or "", "—"),
                goal=self.t.raw("values.goal").get(goal or "", "—"),
            )
        intro = self.t("recommend.intro", name=self.name(found.framework))
        text = f"{intro}{who}\n\n{found.text} _({self._cite_source(found.source)})_"
        answer = Answer(text, [], [found.id])
        rule = self.store.recommendation_rule(found.id)
        answer.buttons = self._tailoring(experience or rule[0], goal or rule[1], answer)
        return answer

    def _asks_choice(self, question: Question) -> bool:
        """Whether a message asks which framework to choose in so many words, or sets frameworks against each other."""
        text, lang = question.text, question.search_language
        return self.store.asks_for("advice", text, lang) or self.store.chooses_among_frameworks(text, lang)

    def reasons(self, rule: Recommendation) -> Answer:
        """Why the advice: the facts it rests on, each as it holds now, with its source."""
        lines, shown = [self.t("recommend.why", name=self.name(rule.framework))], []
        for claim in rule.reasons:
            lead, _ = self.store.current_claim(claim.id, self.lang) or (claim, None)
            if lead.id not in shown:
                shown.append(lead.id)
                lines.append(f"- {lead.text} _({self._cite(lead)})_")
            if len(shown) == MAX_REASONS:
                break
        return Answer("\n".join(lines), [], shown)

    def _goal_found(self, hits: list[Hit], experience: str) -> str | None:
        """The goal of the best rule of advice among `hits` that fits the experience told, when it is found clearly
        (GOAL_FOUND) and ahead of the best rule for another goal (GOAL_LEAD); the NLU may miss a goal said in a long
        sentence ("mi meta es trabajar en una empresa haciendo ia"), the rules' phrasings hold it."""
        best: dict[str, float] = {}
        for hit in hits:
            rule = self.store.recommendation_rule(hit.entry) if hit.kind == "recommendation" else None
            if rule is None or rule[0] not in (ANY, experience):
                continue
            best.setdefault(rule[1], hit.confidence)
        ranked = sorted(best.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][0] == ANY or ranked[0][1] < GOAL_FOUND:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < GOAL_LEAD:
            return None
        return ranked[0][0]

    def _advice_by_level(self, goal: str, rules: list) -> Answer:
        """A goal whose advice depends on experience, with none known: each level's advice, then the levels to
        choose from (never "if you have no particular goal yet" to someone who just said theirs)."""
        levels = self.t.raw("values.experience")
        lines = [self.t("recommend.by_level", goal=self.t.raw("values.goal").get(goal, goal))]
        for rule in rules:
            who = levels.get(rule.experience, rule.experience)
            lines.append(f"- **{who}**: {rule.text} _({self._cite_source(rule.source)})_")
        answer = Answer("\n".join(lines), [], [rule.id for rule in rules])
        answer.text += "\n\n" + self.t("answer.tailor_experience")
        answer.buttons = self._value_buttons("experience")
        return answer

    def _tailoring(self, experience: str, goal: str, answer: Answer) -> list[dict[str, str]]:
        """Buttons that would change the advice: the goals when none is known, else the experience levels when
        the rules for that goal differ by experience. Asked once, as an offer, never as a gate."""
        if goal == ANY:
            answer.text += "\n\n" + self.t("answer.tailor_goal")
            return self._value_buttons("goal")
        if experience == ANY and len(self.store.rules_for_goal(goal)) > 1:
            answer.text += "\n\n" + self.t("answer.tailor_experience")
            return self._value_buttons("experience")
        return answer.buttons

    def _value_buttons(self, slot: str) -> list[dict[str, str]]:
        values = self.t.raw(f"values.{slot}")
        return [
            {"title": title[:1].upper() + title[1:], "payload": intent_payload(INFORM, **{slot: value})}
            for value, title in values.items()
        ]
