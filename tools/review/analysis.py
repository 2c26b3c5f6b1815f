"""What each user turn of a conversation was, and whether it got an answer, from the stored events alone.

How each outcome shows in Rasa's events (actions/actions.py sets the slots):
- answered: the turn set `answer_entries` to a non-empty list (the knowledge entries the reply used);
- out of scope: intent `out_of_scope` and no entry (small talk answered it with the polite refusal);
- "Did you mean": the reply opens with the offer (actions/locales: answer.did_you_mean, low_confidence.offer);
  left unanswered when the user's next message is none of the offered buttons' payloads;
- fallback: intent `nlu_fallback` or action `action_low_confidence` ending in "Could you rephrase it?";
- "I don't have that": any other question turn whose reply used no entry (answer.unknown, no_task...);
- small talk (greet, thank, goodbye, bot challenge, help) and ratings are not questions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rapidfuzz import fuzz

from actions.i18n import LANGUAGES, table
from actions.ratings import RATE_INTENT
from knowledge.text import fold_phrase
from tools.review.events import Conversation

SMALL_TALK = ("greet", "goodbye", "thank", "bot_challenge", "help")
FALLBACK_INTENT, FALLBACK_ACTION = "nlu_fallback", "action_low_confidence"
SIMILAR = 80  # rapidfuzz token_set_ratio (0-100) at or above which two folded questions are one group
UNANSWERED = ("out of scope", "did you mean, left unanswered", "fallback", "I don't have that")
TOPIC_ENTITIES = ("framework", "concept", "aspect", "task")


def _opening(key: str) -> list[str]:
    """The fixed beginning of a locale string in every language (before its first placeholder or colon)."""
    openings = []
    for lang in LANGUAGES:
        node: Any = table(lang)
        for part in key.split("."):
            node = node[part]
        openings.append(str(node).split("{")[0].split(":")[0].strip())
    return openings


OFFERS = _opening("answer.did_you_mean") + _opening("low_confidence.offer")
REPHRASE = _opening("low_confidence.rephrase")


@dataclass
class Turn:
    """One user message with what followed it, up to the next user message."""

    sender_id: str
    text: str
    intent: str | None
    entities: list[dict[str, Any]]
    at: float
    language: str | None = None
    replies: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    entries: list[str] | None = None
    rating: dict[str, Any] | None = None
    outcome: str = ""

    @property
    def is_question(self) -> bool:
        return self.intent not in (*SMALL_TALK, RATE_INTENT)

    @property
    def reply_text(self) -> str:
        return "\n".join(reply.get("text") or "" for reply in self.replies)

    @property
    def offered(self) -> list[str]:
        return [b.get("payload") for r in self.replies for b in (r.get("data") or {}).get("buttons") or []]


def turns_of(conversation: Conversation) -> list[Turn]:
    turns: list[Turn] = []
    language = None
    for event in conversation.events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            declared = (event.get("metadata") or {}).get("language")
            turns.append(
                Turn(
                    conversation.sender_id,
                    event.get("text") or "",
                    (parse.get("intent") or {}).get("name"),
                    parse.get("entities") or [],
                    event.get("timestamp") or 0.0,
                    parse.get("language") or (declared if declared in LANGUAGES else None) or language,
                )
            )
        elif not turns:
            continue
        elif kind == "bot":
            turns[-1].replies.append(event)
        elif kind == "action":
            turns[-1].actions.append(event.get("name"))
        elif kind == "slot" and event.get("name") == "answer_entries":
            turns[-1].entries = event.get("value") or []
        elif kind == "slot" and event.get("name") == "last_rating":
            turns[-1].rating = event.get("value")
        elif kind == "slot" and event.get("name") == "language" and event.get("value") in LANGUAGES:
            language = turns[-1].language = event.get("value")
    for index, turn in enumerate(turns):
        following = turns[index + 1] if index + 1 < len(turns) else None
        turn.outcome = outcome(turn, following)
    return turns


def outcome(turn: Turn, following: Turn | None) -> str:
    if not turn.is_question:
        return "rating" if turn.intent == RATE_INTENT else "small talk"
    if turn.entries:
        return "answered"
    reply = turn.reply_text
    if turn.intent == "out_of_scope":
        return "out of scope"
    if any(reply.startswith(offer) for offer in OFFERS):
        chosen = following is not None and following.text in turn.offered
        return "did you mean, chosen" if chosen else "did you mean, left unanswered"
    if turn.intent == FALLBACK_INTENT or FALLBACK_ACTION in turn.actions or any(reply.startswith(r) for r in REPHRASE):
        return "fallback"
    return "I don't have that"


def topic_of(turn: Turn) -> str:
    """What a question was about: the frameworks, concepts, aspect and task it named, else its intent."""
    named = sorted({str(e.get("value")) for e in turn.entities if e.get("entity") in TOPIC_ENTITIES})
    return ", ".join(named) or (turn.intent or "?")


@dataclass
class Group:
    """Similar questions: the most frequent phrasing and how often each was asked."""

    phrasings: Counter = field(default_factory=Counter)
    folded: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.phrasings.values())

    @property
    def example(self) -> str:
        return self.phrasings.most_common(1)[0][0]


def group_similar(turns: Iterable[Turn], similar: int = SIMILAR) -> list[Group]:
    """Questions that are the same once case, accents and punctuation are folded, or near-duplicates of each other
    (rapidfuzz's token_set_ratio, so word order and extra words count little), most asked first."""
    groups: list[Group] = []
    for turn in turns:
        folded = fold_phrase(turn.text)
        home = next(
            (g for g in groups if any(fuzz.token_set_ratio(folded, other) >= similar for other in g.folded)), None
        )
        if home is None:
            home = Group()
            groups.append(home)
        if folded not in home.folded:
            home.folded.append(folded)
        home.phrasings[turn.text.strip()] += 1
        home.outcomes[turn.outcome] += 1
    return sorted(groups, key=lambda g: (-g.count, g.example))


@dataclass
class Review:
    since: datetime | None
    until: datetime | None
    conversations: int
    questions: list[Turn]
    unanswered: list[Turn]
    ratings: list[Turn]

    @property
    def down_rated(self) -> list[Turn]:
        return [t for t in self.ratings if (t.rating or {}).get("rating") != "up"]

    def answered_share(self) -> dict[str, tuple[int, int]]:
        """(answered, asked) per language."""
        shares: dict[str, list[int]] = {}
        for turn in self.questions:
            counts = shares.setdefault(turn.language or "?", [0, 0])
            counts[0] += turn.outcome == "answered"
            counts[1] += 1
        return {lang: (answered, asked) for lang, (answered, asked) in sorted(shares.items())}

    def topics(self, limit: int = 15) -> list[tuple[str, int, int]]:
        """(topic, asked, answered), most asked first."""
        asked = Counter(topic_of(t) for t in self.questions)
        answered = Counter(topic_of(t) for t in self.questions if t.outcome == "answered")
        return [(topic, count, answered[topic]) for topic, count in asked.most_common(limit)]


def review(conversations: list[Conversation], since: datetime | None, until: datetime | None) -> Review:
    turns = [turn for conversation in conversations for turn in turns_of(conversation)]
    questions = [t for t in turns if t.is_question and not t.outcome.startswith("did you mean, chosen")]
    return Review(
        since,
        until,
        len(conversations),
        questions,
        [t for t in questions if t.outcome in UNANSWERED],
        [t for t in turns if t.rating],
    )


def when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M") if timestamp else ""
