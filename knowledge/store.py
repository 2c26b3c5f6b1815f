"""Read-only query API over the knowledge base. Every method returns plain data in one language."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import create_engine, func, or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from knowledge import models
from knowledge.index import subject_term
from knowledge.paths import database_url
from knowledge.text import (
    COMMON_WORD_FLOOR,
    LANGUAGES,
    YEAR,
    diminutive_plain,
    diminutive_stems,
    fold,
    fold_phrase,
    index_word,
    marked_stems,
    name_reader,
    name_stems,
    numbers_named,
    terms,
    text_terms,
)

LEVEL_FALLBACK = {"intermediate": "experienced"}  # a level borrows these rules where it has none
LEVELS = ("beginner", "intermediate", "experienced")
# Search: the confidence of a match is COVERED_SHARE times the weighted share of the question's words the entry
# has, plus the rest times how close its nearest question is; a word the knowledge base never uses weighs about
# UNKNOWN_WORD times as much as its rarest word (it may be what the question is really about); an entry about
# another subject than the one named keeps OTHER_SUBJECT of its confidence. Tuned on tools/quality/dev_questions.yml
# only (python -m tools.quality.answers --dev), never on the held-out set.
COVERED_SHARE = 0.7
UNKNOWN_WORD = 1.0
OTHER_SUBJECT = 0.5
NEUTRAL = 0.8  # an entry that speaks of no framework, for a question naming one (below)
# ... and a comparison with a framework the question does not name, UNASKED_COMPARISON (0.7: +3 -1 answers, -1 refusal)
UNASKED_COMPARISON = 0.85
# A word the knowledge base uses weighs by how rare it is there, less when it is common in the language at large
# ("conviene", "sirve"): as frequent as COMMON_LOG_PROB or more, COMMON_SHARE of that weight; rarer than
# COMMON_WORD_FLOOR, all of it; linearly in between (log probabilities, common_words). A word it never uses keeps its
# full weight however common: "puppy" or "cuesta" may be just what the knowledge base lacks.
COMMON_LOG_PROB = -8.0
COMMON_SHARE = 0.5
# A specific word: one some entry states or is about (not one only its questions use: "pillar"), rarer than
# SPECIFIC_LOG_PROB in the language at large ("python"), or than NAMED_LOG_PROB where it names what some entry is about
# ("windows", "conda"; not "version" or "encontrar"), and not a number alone (a year). An entry lacking one the
# question weighs is about something near, not what was asked ("does torch.compile work on windows?").
SPECIFIC_LOG_PROB = -11.5
NAMED_LOG_PROB = -9.5
# In a short question (SHORT_QUESTION_TERMS index terms or fewer), a word the knowledge base never uses, of three
# letters or more, counts as specific too: it is likely what is asked about ("qué empresas son miembros de la pytorch
# foundation" is not answered by how the foundation is governed). In longer ones such words are mostly the user's
# situation or slang ("pillando", "tirando"). Chosen on the development questions: 2 more `none` questions refused,
# no answer lost (6 terms: one answer lost; 7: two).
SHORT_QUESTION_TERMS = 5
# A message of VAGUE_QUESTION_TERMS index terms or fewer that names no subject and holds no specific word, in which the
# NLU found no entity either (actions/answers.py `says_nothing`: "popularity?" has its aspect), asks nothing the
# knowledge base can answer: "tell me more" found what fine-tuning is, "in english please" what AI is, "¿quién eres?"
# who made the three frameworks. Chosen on the development questions: one more `none` question refused ("what is
# q-learning"), none lost; 3 terms lost one ("cuál de los tres tiene la comunidad más activa hoy").
VAGUE_QUESTION_TERMS = 2
# Ranking (not confidence): an entry whose keywords (the names of what it is about) hold the question's words ranks
# up to ABOUT higher ("ejemplo de entrenamiento": the training task, not the others whose questions say "entrenar").
ABOUT = 0.05
# A word of the question that the knowledge base never uses is read as the known word it is a typo of when one letter
# is wrong, missing, extra or swapped with the next ("pytroch"), else when their similarity (rapidfuzz's ratio,
# 0-100) reaches TYPO_SIMILARITY; words whose stem is shorter than TYPO_MIN_LENGTH
# stay as typed (short stems are alike by chance: "bread" and "read", "score" and "core").
TYPO_SIMILARITY = 88
TYPO_MIN_LENGTH = 7
TYPO_MEMORY = 10_000  # unknown words remembered with their reading
STOP_TYPO_MIN_LENGTH = 7  # a word no entry states, this long or longer, one edit from a stop word is its typo
# A word no entry states (in a statement or keywords), said in a clause that tells rather than asks, is the user's
# situation ("estoy con el tfg clasificando radiografías, ¿me pasas una CNN en PyTorch?"), not what the question is
# about: it weighs CONTEXT_WORD times as much as a word every entry has.
CONTEXT_WORD = 1.0
CLAUSE_MARKS = frozenset(",;:.!?¿¡")
QUESTION_MARK = "?"
# ... a clause asks, though no question mark ends it, when it holds a phrase asking what, who, why, how, how many, when
# or whether (asking_phrases.yml): in "que es mlx de apple, sirve para entrenar en mac?" MLX is what is asked about
CLAUSE_ASKING = ("definition", "who", "why", "howto", "number", "date", "check")
# "A vs B" or "A or B" sets A against B (asking_phrases.yml, `choice`): an entry that holds only one of them
# ("tensorrt-llm vs vllm" -> what vLLM is; "vLLM o SGLang, ¿cuál es más rápido?") does not answer it.
COMPARED_REACH = 2  # words either side of "vs" where its sides' names are looked for
# A word right after a subject's name (joined by a space or a hyphen) that the knowledge base never uses names another
# tool ("pytorch lightning", "tensorflow probability"): it is a specific word however long the question is.
QUALIFIER = re.compile(r"[ -]([^\W\d_]+)")
# Ranking: an overview, asked for ("give me an overview of…": knowledge/sources/asking_phrases.yml), ranks OVERVIEW
# higher.
OVERVIEW = 0.2
HOWTO = 0.3  # times the share of an entry's questions asking how (or why, or how to tell), for a question asking that
# kinds of asking (asking_phrases.yml) read from each entry's questions
ASKED_KINDS = ("howto", "why", "check", "cadence", "latest")
RANKED_WAYS = ("howto", "why", "check")  # ... of which these rank an entry asked that way higher (HOWTO)
# What a subject's overview ("tell me about PyTorch") shows: the first of its facts of each of these aspects
OVERVIEW_ASPECTS = ("definition", "origin", "relationship")
# Aspects of the entries that say who made or governs their subject, whoever they name
WHO_ASPECTS = frozenset({"origin"})
PLATFORM_ASPECTS = frozenset({"platforms"})  # aspects whose vocabulary names the operating systems
RELEASE_ASPECTS = frozenset({"versions"})  # entries telling which release is the latest and when, never what is in it
# A question asking for a number ("how many", "cuánto": asking_phrases.yml) is answered only by an entry whose
# statement holds a number term ("2p0" for 2.0, "3x", "50") that is not a year alone; one asking for a date ("what
# year", "¿cuándo salió…?") only by an entry whose statement holds a year or another number ("since 2.16").
NUMBER_TERM = re.compile(r"\d[\dp]*[a-z]{0,2}")
ANY = "any"


class KnowledgeBaseUnavailable(RuntimeError):
    """The knowledge base is missing or unreadable; the message says how to rebuild it."""


@dataclass(frozen=True)
class SourceRef:
    id: str
    title: str
    publisher: str
    date: str
    url: str | None


@dataclass
class Claim:
    """A statement with its source; `newer` holds later claims that bring it up to date."""

    id: str
    text: str
    source: SourceRef
    date: str
    subject: str = ""
    aspect: str = ""
    favours: str | None = None
    newer: list[Claim] = field(default_factory=list)


@dataclass(frozen=True)
class Recommendation:
    framework: str
    text: str
    reasons: list[Claim]
    source: SourceRef
    id: str = ""
    experience: str = ""  # the level it is for ("any" for every level)


@dataclass(frozen=True)
class Snippet:
    framework: str
    task: str
    task_title: str
    code: str
    versions: str
    checked_on: str


@dataclass(frozen=True)
class SpeedFigure:
    framework: str
    workload: str
    train_step_ms: float
    inference_batch_ms: float


@dataclass(frozen=True)
class SpeedReport:
    """Speed measured on this machine by `make measure`."""

    measured_on: str
    hardware: str
    versions: str
    figures: list[SpeedFigure]


@dataclass(frozen=True)
class Hit:
    """An entry found for a question. `confidence` is the share of the question's words (weighted by how rare
    they are in the index) that the entry covers, lowered when the entry is about another subject than the one
    named; `score` adds the caller's preferences and ranks."""

    entry: str
    kind: str
    subjects: tuple[str, ...]
    aspect: str | None
    chain: str
    confidence: float
    score: float
    question: str
    has_key: bool = True  # whether the entry has the question's weightiest word (what it is most about)
    key_in_passing: bool = False  # ... only in its statement: it mentions it, it is not about it ("what is TensorRT?")
    # weight share of the question's weightiest specific word the entry lacks (`is_specific`); 1.0 when it holds only
    # one side of "A vs B" (asking_phrases.yml, `choice`) or never says the operating system asked about (`platform`)
    missing: float = 0.0
    # the question asks for a number ("how many…"), a date or who made something, and the entry's statement gives none;
    # or it asks what something is, and the entry is a rule of advice; or what is new in a release, and the entry tells
    # only which release is the latest
    lacks_asked: bool = False


@dataclass(frozen=True)
class EntryInfo:
    id: str
    kind: str
    subjects: tuple[str, ...]
    aspect: str | None
    chain: str


@dataclass(frozen=True)
class Term:
    entity: str
    value: str
    language: str
    phrase: str
    fuzzy: bool


def _read_only_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url
    path = Path(parsed.database or "")
    if not path.is_file():
        raise KnowledgeBaseUnavailable(f"Knowledge base not found at {path}: run `make kb` to build it.")
    return f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"


class KnowledgeStore:
    def __init__(self, url: str | None = None) -> None:
        self._engine = create_engine(_read_only_url(url or database_url()), future=True)
        try:
            with Session(self._engine) as session:
                count = session.scalar(select(func.count()).select_from(models.Fact))
        except DatabaseError as error:
            raise KnowledgeBaseUnavailable(
                f"Knowledge base at {url or database_url()} is unreadable ({error.orig}): run `make kb` to rebuild it."
            ) from error
        if not count:
            raise KnowledgeBaseUnavailable("Knowledge base has no facts: run `make kb` to rebuild it.")
        with Session(self._engine) as session:
            self._sources = {row.id: _source(row) for row in session.scalars(select(models.Source))}
            self._subjects = {row.id: row for row in session.scalars(select(models.Subject))}
            self._tasks = {row.id: row for row in session.scalars(select(models.Task))}
            session.expunge_all()
        try:
            self._load_index()
        except DatabaseError as error:  # a file an older `make kb` built, without a table this code reads
            raise KnowledgeBaseUnavailable(
                f"Knowledge base at {url or database_url()} is from an older build ({error.orig}): run `make kb` to "
                "rebuild it."
            ) from error

    # --- names -------------------------------------------------------------------------------
    def frameworks(self) -> list[str]:
        return [sid for sid, row in self._subjects.items() if row.kind == "framework"]

    def is_framework(self, subject: str) -> bool:
        row = self._subjects.get(subject)
        return row is not None and row.kind == "framework"

    def subject_name(self, subject: str, lang: str) -> str:
        row = self._subjects[subject]
        return getattr(row, f"name_{lang}")

    def tasks(self) -> list[str]:
        return sorted(self._tasks, key=lambda tid: self._tasks[tid].position)

    def task_title(self, task: str, lang: str) -> str:
        return getattr(self._tasks[task], f"title_{lang}")

    def terms(self) -> list[Term]:
        with Session(self._engine) as session:
            rows = session.scalars(select(models.Term).order_by(models.Term.id))
            return [Term(r.entity, r.value, r.language, r.phrase, r.fuzzy) for r in rows]

    def goal_implied_by(self, aspect: str) -> str | None:
        """The recommendation goal an aspect implies ("deployment" -> "production"), if any."""
        with Session(self._engine) as session:
            return session.scalar(
                select(models.Term.value).where(models.Term.entity == "goal_from_aspect", models.Term.phrase == aspect)
            )

    # --- facts -------------------------------------------------------------------------------
    def facts(self, subject: str, lang: str, aspect: str | None = None) -> list[Claim]:
        """Facts on a subject (optionally one aspect), each with the newer facts that update it."""
        query = select(models.Fact).where(models.Fact.subject_id == subject)
        if aspect:
            query = query.where(models.Fact.aspect == aspect)
        with Session(self._engine) as session:
            rows = list(session.scalars(query.order_by(models.Fact.date, models.Fact.id)))
            return self._thread(rows, lang)

    # --- comparisons -------------------------------------------------------------------------
    def comparisons(self, frameworks: list[str], lang: str, aspect: str | None = None) -> list[Claim]:
        """Comparisons between every pair of the given frameworks, on one aspect or in general."""
        pairs = [tuple(sorted(pair)) for pair in combinations(sorted(set(frameworks)), 2)]
        if not pairs:
            return []
        query = select(models.Comparison).where(
            or_(*[(models.Comparison.framework_a == a) & (models.Comparison.framework_b == b) for a, b in pairs]),
            models.Comparison.aspect == (aspect or "general"),
        )
        with Session(self._engine) as session:
            rows = list(session.scalars(query.order_by(models.Comparison.date, models.Comparison.id)))
            return self._thread(rows, lang)

    # --- recommendations ---------------------------------------------------------------------
    def recommend(self, experience: str, goal: str, lang: str) -> Recommendation | None:
        """The most specific rule for the user: exact match beats one `any`, which beats two. A level without a
        rule for the goal borrows the next level's ("intermediate" -> "experienced")."""
        levels = [experience, LEVEL_FALLBACK.get(experience, experience), ANY]
        with Session(self._engine) as session:
            rules = list(
                session.scalars(
                    select(models.Recommendation).where(
                        models.Recommendation.experience.in_(levels),
                        models.Recommendation.goal.in_([goal, ANY]),
                    )
                )
            )
            if not rules:
                return None
            best = max(
                rules,
                key=lambda r: ((r.experience != ANY) + (r.goal != ANY), r.goal != ANY, r.experience == experience),
            )
            return self._recommendation(session, best, lang)

    # --- code ----------------------------------------------------------------------------------
    def snippet(self, framework: str, task: str, lang: str) -> Snippet | None:
        """The snippet for a task, only if its last verification run passed with the current code."""
        with Session(self._engine) as session:
            row = session.get(models.Snippet, (framework, task))
            if row is None or not row.passed:
                return None
            return Snippet(framework, task, self.task_title(task, lang), row.code, row.versions, row.checked_on)

    def code_subjects(self) -> list[str]:
        """The subjects with at least one snippet: the frameworks, then others with code of their own (JAX)."""
        with Session(self._engine) as session:
            coded = set(session.scalars(select(models.Snippet.framework).distinct()))
        return [sid for sid in sorted(self._subjects, key=lambda sid: not self.is_framework(sid)) if sid in coded]

    def not_applicable(self, framework: str, task: str, lang: str) -> str | None:
        with Session(self._engine) as session:
            row = session.get(models.NotApplicable, (framework, task))
            return getattr(row, f"text_{lang}") if row else None

    # --- measured speed ----------------------------------------------------------------------
    def speed_report(self) -> SpeedReport | None:
        with Session(self._engine) as session:
            run = session.get(models.MeasurementRun, 1)
            if run is None:
                return None
            rows = session.scalars(
                select(models.Measurement).order_by(models.Measurement.workload, models.Measurement.framework)
            )
            figures = [SpeedFigure(r.framework, r.workload, r.train_step_ms, r.inference_batch_ms) for r in rows]
            return SpeedReport(run.measured_on, run.hardware, run.versions, figures)

    # --- search --------------------------------------------------------------------------------
    def _load_index(self) -> None:
        """Entries, their questions and each index row's terms, held in memory (a few hundred rows)."""
        with Session(self._engine) as session:
            self._entries = {
                row.id: EntryInfo(row.id, row.kind, tuple(row.subjects.split()), row.aspect, row.chain)
                for row in session.scalars(select(models.Entry))
            }
            self._questions: dict[tuple[str, str], list[tuple[str, frozenset[str]]]] = defaultdict(list)
            asked = list(session.scalars(select(models.EntryQuestion).order_by(models.EntryQuestion.position)))
            self._stop = defaultdict(set)
            for row in session.scalars(select(models.StopWord)):
                self._stop[row.language].add(row.word)
            self._common: dict[str, dict[str, float]] = defaultdict(dict)
            for lang, key, log_prob in session.execute(
                select(models.CommonWord.language, models.CommonWord.stem, models.CommonWord.log_prob)
            ):
                self._common[lang][key] = log_prob
            self._synonyms: dict[str, dict[str, list[str]]] = defaultdict(dict)
            for row in session.scalars(select(models.Synonym)):
                self._synonyms[row.language][row.term] = row.means.split()
            self._asking: dict[tuple[str, str], dict[bool, list[str]]] = defaultdict(lambda: {True: [], False: []})
            for row in session.scalars(select(models.AskingPhrase)):
                self._asking[(row.kind, row.language)][row.asks].append(row.phrase)
            makers = list(session.scalars(select(models.Maker.name)))
            # (experience, goal) of each rule of advice, by entry: read for every hit of a search for advice
            self._rules = {row.id: (row.experience, row.goal) for row in session.scalars(select(models.Recommendation))}
            # (entry, language) -> the numbers other than years its statement gives ("2p21" of "TensorFlow 2.21"): an
            # entry listed gives a number
            self._numbers_given: dict[tuple[str, str], set[str]] = defaultdict(set)
            self._gives_date: set[tuple[str, str]] = set()  # (entry, language) whose statement holds a number or a year
            statements: dict[tuple[str, str], set[str]] = defaultdict(set)  # (entry, language) -> its statement's terms
            rows = session.execute(text("SELECT rowid, entry_id, language FROM entry_index")).all()
            documents = {rowid: (entry_id, lang) for rowid, entry_id, lang in rows}
            self._terms: dict[tuple[str, str], set[str]] = defaultdict(set)
            self._keyword_terms: dict[tuple[str, str], set[str]] = defaultdict(set)  # what the entry is about
            self._told: dict[tuple[str, str], set[str]] = defaultdict(set)  # ... its questions' and statement's terms
            # Words some entry's statement or keywords use: what the knowledge base says, not only how it is asked
            self._content: dict[str, set[str]] = defaultdict(set)
            # What an entry is asked with and about: its questions' words (below), its keywords, its subjects, and
            # for a recommendation rule its statement, which says whom it is for.
            self._asked: dict[tuple[str, str], set[str]] = defaultdict(set)
            for term, doc, column in session.execute(text("SELECT term, doc, col FROM entry_index_terms")):
                self._terms[documents[doc]].add(term)
                if column in ("questions", "statement"):
                    self._told[documents[doc]].add(term)
                if column == "keywords":
                    self._keyword_terms[documents[doc]].add(term)
                if column != "questions":
                    self._content[documents[doc][1]].add(term)
                if column == "statement" and NUMBER_TERM.fullmatch(term) and not YEAR.fullmatch(term):
                    self._numbers_given[documents[doc]].add(term)
                if column == "statement" and NUMBER_TERM.fullmatch(term):
                    self._gives_date.add(documents[doc])
                if column == "statement":
                    statements[documents[doc]].add(term)
                if column == "keywords" or (
                    column == "statement" and self._entries[documents[doc][0]].kind == "recommendation"
                ):
                    self._asked[documents[doc]].add(term)
            # (entry, language) -> each release number its statement gives -> the names it belongs to there ("" for
            # none): "1p0" belongs to ExecuTorch in what ExecuTorch 1.0 brought, not to PyTorch
            self._owners: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for row in session.scalars(select(models.EntryNumber)):
                self._owners[(row.entry_id, row.language)][row.number].add(row.owner)
            aliases = session.execute(
                select(models.Term.phrase, models.Term.value, models.Term.language).where(
                    models.Term.entity.in_(["framework", "concept"])
                )
            ).all()
        self._stop = {lang: frozenset(words) for lang, words in self._stop.items()}
        # Every name of a subject, to find where a message names it: its aliases and its own name ("TensorBoard", not
        # an alias so as not to pull "can pytorch use tensorboard?" to the concept; "WSL" of "WSL (Windows Subsystem…)")
        self._name_patterns: dict[str, list[tuple[re.Pattern, str]]] = defaultdict(list)
        for lang in LANGUAGES:
            names = [(phrase, value) for phrase, value, of in aliases if of in (lang, "*")]
            names += [(getattr(row, f"name_{lang}").split(" (")[0], subject) for subject, row in self._subjects.items()]
            for phrase, subject in names:
                words = fold(phrase).split()
                pattern = r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?:s|es)?(?!\w)"  # or its plural
                self._name_patterns[lang].append((re.compile(pattern), subject))
        self._aliases: dict[str, dict[str, str]] = defaultdict(dict)  # one-word names only: "torch" -> pytorch
        for phrase, value, lang in aliases:
            if " " not in phrase.strip():
                for target in LANGUAGES if lang == "*" else (lang,):
                    self._aliases[target][fold(phrase.strip())] = value
        self._name_stems = {lang: name_stems(self._aliases[lang], lang) for lang in LANGUAGES}
        self._name_of = {
            lang: name_reader(self._aliases[lang], self._stop.get(lang, frozenset()), self._common[lang], lang)
            for lang in LANGUAGES
        }
        self._shown = {(row.entry_id, row.language, row.text) for row in asked if row.shown}
        for row in asked:
            words = self._with_subjects(row.terms.split(), row.language, ())
            self._questions[(row.entry_id, row.language)].append((row.text, frozenset(words)))
            self._asked[(row.entry_id, row.language)].update(words)
        for entry in self._entries.values():
            for lang in LANGUAGES:
                self._asked[(entry.id, lang)].update(subject_term(s) for s in entry.subjects)
        self._named: dict[str, set[str]] = defaultdict(set)  # words that name what some entry is about
        for (_, lang), words in self._keyword_terms.items():
            self._named[lang].update(words)
        self._typos: dict[tuple[str, str], str] = {}  # (stem, language) -> the known stem it is a typo of
        self._stop_typos: dict[tuple[str, str], bool] = {}  # (word, language) -> whether it is a stop word's typo
        self._vocabulary: dict[str, list[str]] = {}
        self._long_stops = {lang: [w for w in self._stop[lang] if len(w) >= STOP_TYPO_MIN_LENGTH] for lang in LANGUAGES}
        self._df: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._documents: dict[str, int] = defaultdict(int)
        for (_, lang), found in self._terms.items():
            self._documents[lang] += 1
            for term in found:
                self._df[lang][term] += 1
        self._idf_of: dict[str, dict[str, float]] = {lang: {} for lang in LANGUAGES}
        for lang in LANGUAGES:  # every question's words weigh in `_closest_question`, for every entry found
            self._idf_of[lang] = {term: self._idf(term, lang) for term in self._df[lang]}
        # The index terms of the phrases asking for a number or a date ("versión" in "¿en qué versión salió…?"): what
        # the number or date answers, so an entry that gives one does not lack them; of those asking for an overview:
        # they ask for a kind of answer, and say nothing of what it is about; of those asking the bot for help: they
        # name nothing a task or a rule of advice is about; of those asking why: "why?" alone asks about the last answer
        self._asking_terms = {
            (kind, lang): {
                term for phrase in self._asking[(kind, lang)][True] for term in self._phrase_terms(phrase, lang)
            }
            for kind in ("number", "date", "who", "overview", "help", "why")
            for lang in LANGUAGES
        }
        self._choice_words = {lang: frozenset(self._asking[("choice", lang)][True]) for lang in LANGUAGES}
        self._framework_terms = frozenset(subject_term(framework) for framework in self.frameworks())
        self._coded_terms = frozenset(subject_term(subject) for subject in self.code_subjects())  # JAX too
        # The operating systems (the vocabulary of PLATFORM_ASPECTS: windows, linux, android…), which every fact and
        # comparison of the aspect holds as keywords, and the phrases asking whether something works on one
        # (asking_phrases.yml, `platform`), each with the systems it names
        systems = {
            lang: {
                found
                for term in self.terms()
                if term.entity == "aspect" and term.value in PLATFORM_ASPECTS and term.language in (lang, "*")
                for found in self._phrase_terms(fold(term.phrase), lang)
            }
            for lang in LANGUAGES
        }
        self._platform_phrases = {
            lang: [
                (phrase, frozenset(self._phrase_terms(phrase, lang)) & systems[lang])
                for phrase in self._asking[("platform", lang)][True]
            ]
            for lang in LANGUAGES
        }
        # The makers (knowledge/sources/makers.yml) each entry's statement names, by their index terms: what answers
        # "who made…" ("Meta" in where PyTorch comes from, "Apple" in what Core ML is)
        self._maker_terms = {
            lang: {maker: frozenset(self._phrase_terms(maker, lang)) for maker in makers} for lang in LANGUAGES
        }
        self._makers = {
            (entry_id, lang): {maker for maker, terms in self._maker_terms[lang].items() if terms and terms <= words}
            for (entry_id, lang), words in statements.items()
        }
        # How each entry is asked: the share of its questions (both languages) asking each of ASKED_KINDS. An entry
        # asked how ranks higher for a question asked how ("como pongo jax de backend en keras": how to switch the
        # backend, not which backends there are); one asked how often releases come more than which is the latest
        # tells the release cadence.
        self._asked_share: dict[str, dict[str, float]] = {}
        for entry_id in self._entries:
            asked = [
                (question, lang) for lang in LANGUAGES for question, _ in self._questions.get((entry_id, lang), [])
            ]
            self._asked_share[entry_id] = {
                kind: sum(self.asks_for(kind, question, lang) for question, lang in asked) / max(len(asked), 1)
                for kind in ASKED_KINDS
            }
        self._tells_cadence = {
            entry_id
            for entry_id, share in self._asked_share.items()
            if self._entries[entry_id].aspect in RELEASE_ASPECTS and share["cadence"] > share["latest"]
        }
        self._says_who = {entry.id for entry in self._entries.values() if entry.aspect in WHO_ASPECTS}
        for entry in self._entries.values():  # an overview says what the facts it shows say
            if entry.kind == "fact" and entry.aspect in OVERVIEW_ASPECTS and len(entry.subjects) == 1:
                overview = f"about:{entry.subjects[0]}"
                for lang in LANGUAGES:
                    self._makers.setdefault((overview, lang), set()).update(self._makers.get((entry.id, lang), ()))
                if entry.id in self._says_who:
                    self._says_who.add(overview)

    def _phrase_terms(self, phrase: str, lang: str) -> list[str]:
        """A folded phrase's index terms, read word by word (no lemmatiser needed)."""
        return self.query_terms(phrase, lang, [(word, word) for word in phrase.split()])

    def entry(self, entry_id: str) -> EntryInfo | None:
        return self._entries.get(entry_id)

    def about_all(self, entry_id: str, lang: str, subjects: Iterable[str]) -> bool:
        """Whether an entry is about (or its questions name) every one of these subjects."""
        return all(subject_term(s) in self._terms[(entry_id, lang)] for s in subjects)

    def questions(self, entry_id: str, lang: str) -> list[str]:
        """The entry's questions that may be offered as buttons (not the informal phrasings, only searched)."""
        found = self._questions.get((entry_id, lang), [])
        return [question for question, _ in found if (entry_id, lang, question) in self._shown]

    def query_terms(
        self, text_: str, lang: str, tokens: Iterable[tuple[str, str]] | None = None, subjects: Iterable[str] = ()
    ) -> list[str]:
        """The question's index terms; a subject named by the NLU or by a one-word name becomes `subj<id>`.
        Without `tokens` (surface, lemma pairs from the NLU) the text is lemmatised here, which loads spaCy."""
        stop = self._stop.get(lang, frozenset())
        found = terms(tokens, stop) if tokens is not None else text_terms(text_, lang, stop)
        return self._with_subjects([term for word in found for term in self._meant(word, lang)], lang, subjects)

    def _meant(self, word: str, lang: str) -> list[str]:
        """A word's index terms: the words it stands for when it is a synonym ("diff" -> "difference";
        knowledge/sources/synonyms.yml; the index reads its texts the same way), else the word as spelled."""
        stemmed = index_word(word, lang, self._aliases[lang], self._name_stems[lang])
        if self._stop_typo(word, stemmed, lang):
            return []
        return self._synonyms[lang].get(stemmed) or [self._spelled(word, lang)]

    def _stop_typo(self, word: str, stemmed: str, lang: str) -> bool:
        """Whether a word no entry states is a stop word or filler typed with one letter wrong, missing, extra or
        swapped ("actualy", "basicaly"), or made small ("ahorita", "poquito"): it asks nothing, and as a rare or
        unknown word it weighed most."""
        if not word.isalpha() or word in self._aliases[lang]:
            return False
        if stemmed in self._content[lang] or word in self._stop[lang]:  # a word some entry states, or one spelled right
            return False
        if any(plain in self._stop[lang] for plain in diminutive_plain(word, lang)):
            return True
        if len(word) < STOP_TYPO_MIN_LENGTH:
            return False
        key = (word, lang)
        if key not in self._stop_typos:
            if len(self._stop_typos) >= TYPO_MEMORY:
                self._stop_typos.clear()
            longer = self._long_stops[lang]
            self._stop_typos[key] = process.extractOne(word, longer, scorer=OSA.distance, score_cutoff=1) is not None
        return self._stop_typos[key]

    def _spelled(self, word: str, lang: str) -> str:
        """A word as the index holds it: a subject's one-word name whole, any other word stemmed; a stem the
        knowledge base never uses as the known one it is a typo of ("framwork" -> "framework", "pytroch" ->
        "pytorch"), when one is close enough (one edit, else TYPO_SIMILARITY) and it is no common word of the
        language."""
        names = self._aliases[lang]
        stemmed = index_word(word, lang, names, self._name_stems[lang])
        if word in names or not word.isalpha() or stemmed in self._df[lang]:
            return stemmed
        # typed without its stress mark ("¿me costaria menos?", "cuando salio"): the stem of the marked form; a
        # diminutive ("un ejemplito"): the stem of the word it makes small
        readings = [*marked_stems(word, lang), *diminutive_stems(word, lang)]
        marked = next((found for found in readings if found in self._df[lang]), None)
        if marked is not None:
            return marked
        # a word of the language no entry uses is no typo ("professor" is not "processor")
        if len(stemmed) < TYPO_MIN_LENGTH or stemmed in self._common[lang]:
            return stemmed
        key = (stemmed, lang)
        if key not in self._typos:
            if len(self._typos) >= TYPO_MEMORY:  # a server sees new words for months: keep the memory bounded
                self._typos.clear()
            known = self._vocabulary.setdefault(lang, [*self._df[lang], *self._aliases[lang]])
            match = process.extractOne(stemmed, known, scorer=OSA.distance, score_cutoff=1) or process.extractOne(
                stemmed, known, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY
            )
            self._typos[key] = match[0] if match else stemmed
        return self._typos[key]

    def _with_subjects(self, found: list[str], lang: str, subjects: Iterable[str]) -> list[str]:
        named = list(dict.fromkeys(subjects))
        words = []
        for word in found:
            subject = self._aliases[lang].get(word)
            if subject:
                named.append(subject)
            else:
                words.append(word)
        for subject in named:
            if subject in self._subjects:
                words.append(subject_term(subject))
        return list(dict.fromkeys(words))

    def says_nothing(self, text_: str, lang: str, tokens: Iterable[tuple[str, str]] | None) -> bool:
        """Whether a message is too vague to search (VAGUE_QUESTION_TERMS): "tell me more", "vale"."""
        query = self.query_terms(text_, lang, tokens)
        return len(query) <= VAGUE_QUESTION_TERMS and not any(
            term.startswith("subj") or self.is_specific(term, lang) for term in query
        )

    def says_nothing_specific(self, text_: str, lang: str, tokens: Iterable[tuple[str, str]] | None, kind: str) -> bool:
        """Whether a question names nothing beyond its subjects and words common to most entries of a kind
        ("show me an example in Keras" says no task; "early stopping in Keras" does). A word that names what a few
        of them are about counts even when most entries' questions use it ("training" names the training task,
        though "train" is in most tasks' questions: they share a stem)."""
        entries = [e.id for e in self._entries.values() if e.kind == kind]
        count = max(len(entries), 1)
        asking_help = self._asking_terms[("help", lang)] if self.asks_for("help", text_, lang) else set()
        for term in self.query_terms(text_, lang, tokens):
            if term.startswith("subj") or term in asking_help:  # "ayuda, dame algún ejemplo" names no task
                continue
            share = sum(term in self._terms[(e, lang)] for e in entries) / count
            about = sum(term in self._keyword_terms[(e, lang)] for e in entries) / count
            if share < 0.5 or 0 < about < 0.5:
                return False
        return True

    def says_only(self, kind: str, text_: str, lang: str) -> bool:
        """Whether the whole message is one of a kind's phrases ("ok" acknowledges; knowledge/sources/asking_phrases.yml
        `acknowledge`), case, accents and punctuation folded."""
        return fold_phrase(text_) in self._asking[(kind, lang)][True]

    def asks_only(self, kind: str, text_: str, lang: str, tokens: Iterable[tuple[str, str]] | None) -> bool:
        """Whether a message asks for a kind of answer and says nothing else but the subjects it names ("why?", "¿y
        por qué PyTorch?"); for the kinds whose asking words `_asking_terms` holds."""
        if not self.asks_for(kind, text_, lang):
            return False
        asking = self._asking_terms[(kind, lang)]
        return all(term.startswith("subj") or term in asking for term in self.query_terms(text_, lang, tokens))

    def asks_for(self, kind: str, text_: str, lang: str) -> bool:
        """Whether a question asks for a kind of answer: "number" ("how many parameters…", "¿cuánto cuesta…?", not
        "how much faster…" or "en cuanto a…"), "overview" ("dame una visión general de PyTorch")
        (knowledge/sources/asking_phrases.yml)."""
        folded = self._asking_text(kind, text_, lang)
        return any(f" {phrase} " in folded for phrase in self._asking[(kind, lang)][True])

    def _asking_text(self, kind: str, text_: str, lang: str) -> str:
        """The text folded, with spaces around, and the longer phrases that do not ask for `kind` blanked out."""
        folded = f" {fold_phrase(text_)} "
        for phrase in self._asking[(kind, lang)][False]:
            folded = folded.replace(f" {phrase} ", " | ")
        return folded

    def asked_at(self, kind: str, text_: str, lang: str) -> int | None:
        """Where in the text (a character offset) a phrase asking for a kind of answer starts, or None when it asks
        for none (`asks_for`)."""
        if not self.asks_for(kind, text_, lang):
            return None
        folded = fold(text_)  # as long as the text: accents dropped, not expanded
        starts = [
            found.start()
            for phrase in self._asking[(kind, lang)][True]
            for found in re.finditer(r"(?<!\w)" + r"\W+".join(map(re.escape, phrase.split())) + r"(?!\w)", folded)
        ]
        return min(starts, default=None)

    def named_at(self, text_: str, lang: str) -> dict[str, int]:
        """Where in the text (a character offset) each subject a name of it names ("wsl", "TensorBoard", "redes
        recurrentes") is first named; a name inside a longer one is not named there
        ("tensorflow" in "tensorflow.js")."""
        return self._first_named(self._name_spans(fold(text_), lang))

    @staticmethod
    def _first_named(spans: list[tuple[int, int, str]]) -> dict[str, int]:
        """`named_at` from the name spans of a text."""
        found: dict[str, int] = {}
        for start, end, subject in sorted(spans):
            inside = any(first <= start and end <= last and (first, last) != (start, end) for first, last, _ in spans)
            if not inside and subject not in found:
                found[subject] = start
        return found

    def _name_spans(self, folded: str, lang: str) -> list[tuple[int, int, str]]:
        """(start, end, subject) of every name of a subject in a folded text."""
        return [
            (m.start(), m.end(), subject)
            for pattern, subject in self._name_patterns[lang]
            for m in pattern.finditer(folded)
        ]

    def _qualifiers(self, folded: str, spans: list[tuple[int, int, str]], lang: str) -> set[str]:
        """The terms of the words right after a subject's name ("lightning" in "pytorch lightning", "opset" in "onnx
        opset"): QUALIFIER. `spans` are the folded text's name spans (`_name_spans`)."""
        found = set()
        for _, end, _ in spans:
            after = QUALIFIER.match(folded, end)
            if after:
                found.update(self.query_terms("", lang, [(after.group(1), after.group(1))]))
        return found

    def asked_hit(self, entry_id: str, lang: str) -> Hit:
        """An entry the question asks for by name (the overview of the subject an overview is asked of): found with
        full confidence, as the question names exactly it."""
        info = self._entries[entry_id]
        shown = self.questions(entry_id, lang)
        return Hit(entry_id, info.kind, info.subjects, info.aspect, info.chain, 1.0, 2.0, shown[0] if shown else "")

    def _context_words(self, tokens: Iterable[tuple[str, str]] | None, lang: str) -> set[str]:
        """The terms of a message's telling clauses (split at punctuation) that its asking clauses do not hold: the
        user's situation. The asking clauses end with a question mark ("me pasas un ejemplo de entrenar una red? lo
        necesito para la práctica de mañana"), with none, the last clause; and so does a clause with a phrase that
        asks (CLAUSE_ASKING)."""
        clauses: list[list[tuple[str, str]]] = [[]]
        asks = [False]
        for surface, lemma in tokens or ():
            if surface in CLAUSE_MARKS:
                asks[-1] = asks[-1] or surface == QUESTION_MARK
                clauses.append([])
                asks.append(False)
            else:
                clauses[-1].append((surface, lemma))
        kept = [(clause, asked) for clause, asked in zip(clauses, asks, strict=True) if clause]
        if len(kept) < 2:
            return set()
        if not any(asked for _, asked in kept):
            kept[-1] = (kept[-1][0], True)
        kept = [(clause, asked or self._clause_asks(clause, lang)) for clause, asked in kept]
        told = {t for clause, asked in kept if not asked for t in self.query_terms("", lang, clause)}
        return told - {t for clause, asked in kept if asked for t in self.query_terms("", lang, clause)}

    def _clause_asks(self, clause: list[tuple[str, str]], lang: str) -> bool:
        """Whether a clause holds a phrase asking something (CLAUSE_ASKING)."""
        said = " ".join(surface for surface, _ in clause)
        return any(self.asks_for(kind, said, lang) for kind in CLAUSE_ASKING)

    def _compared_sides(self, text_: str, lang: str) -> tuple[list[str], list[str]] | None:
        """In "A vs B" (or "A or B"), the names in the word before "vs" and in the word after it ("tensorrt-llm" gives
        "tensorrt" and "llm"), all of which an entry must hold to answer it."""
        markers, other_meanings = self._choice_words[lang], self._asking[("choice", lang)][False]
        words = text_.split()
        folded = [fold(word).strip(".,;:!?¿¡") for word in words]

        def sets_apart(i: int) -> bool:  # "o", not the "o" of "o sea"
            return folded[i] in markers and not any(
                " ".join(folded[i : i + len(phrase.split())]) == phrase for phrase in other_meanings
            )

        at = next((i for i in range(len(words)) if sets_apart(i)), None)
        if at is None:  # most messages: no other word is read
            return None

        def named(found: list[str]) -> list[str]:  # names, not "writing" in "jax vmap vs writing a for loop"
            return [
                t for t in found if t.startswith("subj") or self.is_specific(t, lang) or self._unknown_name(t, lang)
            ]

        def side(near: list[str]) -> list[str]:  # the nearer of the two next words holding a name ("deepspeed zero-3")
            for word in near[:COMPARED_REACH]:
                found = named(self.query_terms("", lang, [(w, w) for w in re.findall(r"\w+", word)]))
                if found:
                    return found
            return []

        before, after = side(list(reversed(words[:at]))), side(words[at + 1 :])
        return (before, after) if before and after else None

    def chooses_among_others(self, text_: str, lang: str) -> bool:
        """Whether a message asks to choose between two things ("A vs B", "A o B") neither of which is a framework the
        knowledge base knows as one: "yolov8 o detectron2", "kserve or seldon core"."""
        sides = self._compared_sides(text_, lang)
        return sides is not None and not any(self._framework_terms & set(side) for side in sides)

    def chooses_among_frameworks(self, text_: str, lang: str) -> bool:
        """Whether a message asks to choose between two frameworks ("¿aprendo tf o pytorch primero?")."""
        sides = self._compared_sides(text_, lang)
        return sides is not None and all(self._framework_terms & set(side) for side in sides)

    def _platforms_asked(self, text_: str, lang: str) -> frozenset[str]:
        """The operating systems a question asks whether something works on ("is rocm supported on windows"), as index
        terms (asking_phrases.yml, `platform`)."""
        folded = self._asking_text("platform", text_, lang)
        asked = [systems for phrase, systems in self._platform_phrases[lang] if f" {phrase} " in folded]
        return frozenset().union(*asked)

    def is_specific(self, term: str, lang: str) -> bool:
        """Whether a query term is a specific word (SPECIFIC_LOG_PROB): "executorch", "windows"; not "beta"."""
        if term.isdigit() or term not in self._content[lang]:  # "pillar", "armar": in informal phrasings only
            return False
        log_prob = self._common[lang].get(term, COMMON_WORD_FLOOR)
        return log_prob < SPECIFIC_LOG_PROB or (term in self._named[lang] and log_prob < NAMED_LOG_PROB)

    def _unknown_name(self, term: str, lang: str) -> bool:
        """A word the knowledge base never uses, long enough to be a name ("yolo", "mlflow", "dijkstra", "float64")."""
        if len(term) < 3 or not term.isalnum() or term in self._df[lang]:
            return False
        # letters only, or letters and digits not read as a number ("float64", "a770": not "3060", "2p15", "4gb")
        return term.isalpha() or (any(c.isalpha() for c in term) and not NUMBER_TERM.fullmatch(term))

    def _idf(self, term: str, lang: str) -> float:
        """How much a word weighs (COMMON_LOG_PROB, UNKNOWN_WORD); the index's own words are weighed once, at load."""
        known = self._idf_of[lang].get(term)
        if known is not None:
            return known
        documents = max(self._documents[lang], 1)
        seen = self._df[lang].get(term, 0)
        if not seen:  # a word the knowledge base never uses: what the question is really about
            return UNKNOWN_WORD * math.log(1 + 2 * documents)
        log_prob = self._common[lang].get(term, COMMON_WORD_FLOOR)
        rare = min(1.0, (COMMON_LOG_PROB - log_prob) / (COMMON_LOG_PROB - COMMON_WORD_FLOOR))
        return math.log(1 + documents / seen) * max(COMMON_SHARE, rare)

    def search(
        self,
        text_: str,
        lang: str,
        *,
        tokens: Iterable[tuple[str, str]] | None = None,
        subjects: Iterable[str] = (),
        kinds: Iterable[str] | None = None,
        prefer_kinds: Iterable[str] = (),
        prefer_aspects: Iterable[str] = (),
        limit: int = 5,
    ) -> list[Hit]:
        """Entries that answer a question, best first. The full-text index (bm25) finds the candidates; the
        confidence is how much of the question an entry covers; kinds, aspects and subjects the NLU found
        filter and boost."""
        query = self.query_terms(text_, lang, tokens, subjects)
        if not query:
            return []
        named = {term for term in query if term.startswith("subj")}
        # subjects the question names by a name that is no search alias ("tensorboard" in "tensorboard not installed
        # after upgrading tensorflow"): an entry about one of them that speaks of the subjects named is about what was
        # asked (not what ROCm is, which names PyTorch only, for "does tensorflow support rocm?")
        folded = fold(text_)
        spans = self._name_spans(folded, lang)
        spoken = {subject_term(subject) for subject in self._first_named(spans)}
        match = " OR ".join(f'"{term}"' for term in query)
        with Session(self._engine) as session:
            ranked = session.execute(
                text(
                    "SELECT entry_id, bm25(entry_index, 0, 0, 4.0, 1.0, 1.5) AS rank FROM entry_index "
                    "WHERE entry_index MATCH :match AND language = :lang ORDER BY rank LIMIT 60"
                ),
                {"match": match, "lang": lang},
            ).all()
        ranked = list(ranked)
        wants_number = self.asks_for("number", text_, lang)
        wants_date = not wants_number and self.asks_for("date", text_, lang)
        # when a release named by its number comes out: only an entry giving that number says ("when is tensorflow 2.22
        # coming out" is not answered by when 2.21 came out)
        releases_asked = (
            {t for t in query if NUMBER_TERM.fullmatch(t) and not YEAR.fullmatch(t)} if wants_date else set()
        )
        # the release numbers the question gives right after a name ("pytorch 1.0", "python 3.8"): an entry whose
        # statement gives the number only as another name's does not hold it ("ExecuTorch … reached version 1.0")
        named_numbers = numbers_named(text_, self._name_of[lang], nearest=True)
        numbered = {number: owners for number, owners in named_numbers.items() if owners}
        wants_overview = self.asks_for("overview", text_, lang)
        # "who made…": an entry answers when it tells where its subject comes from or who governs it (WHO_ASPECTS), or
        # its statement names a maker the question does not ("¿quién es el CEO de NVIDIA?" is not answered by what CUDA
        # is)
        wants_who = not wants_overview and self.asks_for("who", text_, lang)
        # what something is: a rule of advice never says ("¿qué es YOLO para detección de objetos?" is not answered by
        # the advice for computer vision)
        wants_definition = self.asks_for("definition", text_, lang)
        # what is new in a release: an entry telling which version is the latest does not say
        wants_news = self.asks_for("news", text_, lang)
        # asking how to do something, or why: an entry ranks higher by the share of its questions asking that way
        asked_ways = [kind for kind in RANKED_WAYS if self.asks_for(kind, text_, lang)]
        # how often releases come, or which is the latest: among the entries telling releases, one of the other kind
        # does not say ("version mas nueva de pytorch?" is not answered by PyTorch's release cadence)
        wants_cadence = self.asks_for("cadence", text_, lang)
        wants_latest = not wants_cadence and self.asks_for("latest", text_, lang)
        makers_named = {maker for maker, terms in self._maker_terms[lang].items() if terms and terms <= set(query)}
        platforms_asked = self._platforms_asked(text_, lang)
        if wants_overview:  # the overviews of the subjects named, however many other entries name them
            listed = {entry_id for entry_id, _ in ranked}
            worst = max((rank for _, rank in ranked), default=0.0)
            for subject in self._subjects:
                overview = f"about:{subject}"
                if subject_term(subject) in named and overview in self._entries and overview not in listed:
                    ranked.append((overview, worst))
        if not ranked:
            return []
        weights = {term: self._idf(term, lang) for term in query}
        if wants_overview and named:  # "vista general de JAX": not what "datos que no ha visto" are about
            for term in self._asking_terms[("overview", lang)] & weights.keys() - named:
                del weights[term]
        for term in self._context_words(tokens, lang) & weights.keys():
            if term not in self._content[lang]:  # "estoy con el tfg clasificando radiografías, me pasas una cnn?"
                weights[term] = CONTEXT_WORD * math.log(2)
        total = sum(weights.values())
        short = len(query) <= SHORT_QUESTION_TERMS
        qualifiers = self._qualifiers(folded, spans, lang)
        specific = {
            term: weight / total
            for term, weight in weights.items()
            if self.is_specific(term, lang) or ((short or term in qualifiers) and self._unknown_name(term, lang))
        }
        key = max(weights, key=weights.__getitem__)
        # A subject named by a name of several words ("triton inference server", "mi gráfica"; the NLU reads it as the
        # subject): an entry holding the name's first word (when specific) speaks of the subject, as one asked with it
        # is asked about it; and one speaking of the subject does not lack the name's other words ("¿puedo servir mi
        # SavedModel con triton inference server?" is answered by what Triton does with TensorFlow models, which never
        # says "inference"; "¿cuda sirve si mi gráfica es amd?" by what CUDA is, asked "tengo una gráfica amd…")
        name_words: list[tuple[str, str, set[str]]] = []  # (subject, the name's first word, its words)
        for start, end, subject in spans:
            words = set(self._phrase_terms(folded[start:end], lang)) - {subject_term(subject)}
            ordered = [
                term for word in re.findall(r"\w+", folded[start:end]) for term in self._phrase_terms(word, lang)
            ]
            first = ordered[0] if ordered else ""  # not "tensorflow" of "tensorflow.js", nor "mi" of "mi gráfica"
            if words and not first.startswith("subj") and first in words and self.is_specific(first, lang):
                name_words.append((subject, first, words))
        # a number the statement holds is what the entry says, never a mention in passing ("tf2onnx, tested with
        # TensorFlow up to 2.15" for "uso tf 2.15, ¿con qué paso el modelo a onnx?"), unless the question asks for
        # a number or date of its own ("when did tensorflow 2.10 come out" is not answered by what 2.10 ended)
        in_passing_counts = not NUMBER_TERM.fullmatch(key) or wants_number or wants_date
        frameworks_named = named & {subject_term(f) for f in self.frameworks()}
        strict = key in named or bool(frameworks_named)
        best_rank = ranked[0][1] or -1.0
        allowed = set(kinds) if kinds is not None else None
        prefer_kinds, prefer_aspects = set(prefer_kinds), set(prefer_aspects)
        sides = self._compared_sides(text_, lang)
        # of the entries telling releases, those of the other kind than asked come after the rest; none answers (below),
        # nor does any entry but one telling how often releases come when that is asked (what TensorFlow's community is
        # like names a version candidate, not how often versions come)
        other_release_kind = {
            entry_id
            for entry_id, _ in ranked
            if (
                wants_cadence
                and self._entries[entry_id].aspect in RELEASE_ASPECTS
                and entry_id not in self._tells_cadence
            )
            or (wants_latest and entry_id in self._tells_cadence)
        }
        key_is_number = bool(NUMBER_TERM.fullmatch(key))

        def key_in_passing(own: set[str], found: set[str], asked: set[str]) -> bool:
            """The entry holds the question's weightiest word in its statement only, not in its questions: it mentions
            it in passing ("what is TensorRT?" is not answered by what Triton is, which names TensorRT). Not a word of
            an entry about a subject the question names ("LoRA va atado a algún framework?": "LoRA no está atado a un
            framework"), unless a release number (what TensorFlow 2.10 ended does not tell when 2.10 came out)."""
            if not in_passing_counts or key not in found or key in asked:
                return False
            return key_is_number or not named & own

        hits = []
        for entry_id, rank in ranked:
            info = self._entries[entry_id]
            if allowed is not None and info.kind not in allowed:
                continue
            found = self._terms[(entry_id, lang)]
            elsewhere_numbers = {n for n, owners in numbered.items() if not self._belongs(n, owners, entry_id, lang)}
            if elsewhere_numbers:
                found = found - elsewhere_numbers
            # (above) ... and an entry asked with that word is asked about the subject
            asked = self._asked[(entry_id, lang)]
            if name_words:
                found = found | {subject_term(subject) for subject, first, _ in name_words if first in found}
                asked = asked | {subject_term(subject) for subject, first, _ in name_words if first in asked}
            covered = sum(weight for term, weight in weights.items() if term in found) / total
            question, closeness = self._closest_question(entry_id, lang, weights)
            confidence = COVERED_SHARE * covered + (1 - COVERED_SHARE) * closeness
            own = {subject_term(s) for s in info.subjects}
            # About another subject than the one asked about, unless the subjects named are concepts and it is asked
            # with what the question is most about ("por qué se entrenan las redes neuronales en GPU y no en la CPU":
            # GPUs, not neural networks). A framework named always counts: torch.no_grad is not jax.grad.
            about_asked = bool(named & own) or (bool(spoken & own) and named <= found)
            # For a question naming frameworks only, an entry about no framework (nor JAX, which has code of its own)
            # that speaks of each of them and holds the question's weightiest word is near what was asked, and keeps
            # NEUTRAL of its confidence (below: "¿cómo se llama la capa de dropout en PyTorch y en Keras?")
            speaks_of_each = (
                named <= self._framework_terms and named <= found and key in found and not own & self._coded_terms
            )
            # ... and so is an entry that never speaks of a framework the question names: what ROCm is does not answer
            # "can tensorflow train on amd gpus through rocm?", nor TensorFlow's strategies whether PyTorch and
            # TensorFlow are on a par in distributed training
            silent = not frameworks_named <= found
            # ... though an entry that speaks of no framework at all is about the thing for any of them, and weighs
            # less only ("qué función de pérdida uso para clasificación en pytorch": what a loss function is and which
            # to use); not an overview ("can i use pytorch on a colab tpu" is not asking what TPUs are)
            neutral = silent and info.kind != "overview" and not (found | own) & self._framework_terms
            # ... and so is an entry about a framework the question never names, when the question names a subject the
            # entry never speaks of ("how to install jax with cuda" is not answered by PyTorch's CUDA wheels)
            elsewhere = bool((own & self._framework_terms) - named) and bool(named - own - found)
            if named and (not about_asked or silent or elsewhere) and (strict or elsewhere or key not in asked):
                near = (about_asked and neutral and not elsewhere) or speaks_of_each
                confidence *= NEUTRAL if near else OTHER_SUBJECT
            # a comparison with a framework the question never names, when it names one: the entries about what it
            # names come first ("how is mixed precision switched on in keras?" is about Keras, not Keras and PyTorch)
            if info.kind == "comparison" and frameworks_named and not own <= named:
                confidence *= UNASKED_COMPARISON
            about = sum(weight for term, weight in weights.items() if term in self._keyword_terms[(entry_id, lang)])
            score = confidence + 0.05 * (rank / best_rank if best_rank else 0) + ABOUT * about / total
            score += 0.1 * (info.kind in prefer_kinds) + 0.1 * (info.aspect in prefer_aspects)
            score += OVERVIEW * (wants_overview and info.kind == "overview")
            score += HOWTO * sum(self._asked_share[entry_id][kind] for kind in asked_ways)
            gives_number = (entry_id, lang) in self._numbers_given
            gives_date = (entry_id, lang) in self._gives_date
            unsaid = {term for term in specific if term not in found}
            for subject, _, words in name_words:
                if subject_term(subject) in own | found:
                    unsaid -= words
            # a version or a date answers the words of both ("¿en qué versión salió torch.compile?": "salió" asks when)
            if (wants_number and gives_number) or (wants_date and gives_date):
                unsaid -= self._asking_terms[("number", lang)] | self._asking_terms[("date", lang)]
            gives_who = entry_id in self._says_who or bool(self._makers.get((entry_id, lang), set()) - makers_named)
            if wants_who and gives_who:
                unsaid -= self._asking_terms[("who", lang)]
            one_sided = sides is not None and not all(term in found or term in own for side in sides for term in side)
            # whether it works on an operating system its questions and statement never say (asking_phrases.yml,
            # `platform`; its keywords hold them all): about something else, as one side of "A vs B" is. ("rocm
            # funciona en windows?": what ROCm does for PyTorch is about platforms and says nothing of Windows.)
            one_sided = one_sided or not platforms_asked <= self._told[(entry_id, lang)]
            hits.append(
                Hit(
                    entry_id,
                    info.kind,
                    info.subjects,
                    info.aspect,
                    info.chain,
                    round(confidence, 3),
                    score,
                    question,
                    key in found,
                    key_in_passing(own, found, asked),
                    1.0 if one_sided else max((specific[term] for term in unsaid), default=0.0),
                    (wants_number and not gives_number)
                    or (wants_date and not gives_date)
                    or not all(
                        self._gives_release(release, numbered.get(release, set()), entry_id, lang)
                        for release in releases_asked
                    )
                    or (wants_who and not gives_who)
                    or (wants_definition and info.kind == "recommendation")
                    or (wants_news and info.aspect in RELEASE_ASPECTS)
                    or (wants_cadence and entry_id not in self._tells_cadence)
                    or (wants_latest and entry_id in self._tells_cadence),
                )
            )
        hits.sort(key=lambda hit: (hit.entry in other_release_kind, -hit.score))
        return hits[:limit]

    def _gives_release(self, release: str, owners: set[str], entry_id: str, lang: str) -> bool:
        """Whether an entry's statement gives a release's number: as itself or as one of its releases ("3" as "3p12",
        "2p21" as "2p21p0"), and "2p0" as "2"; never as another release of the same major ("2p0" is not "2p21"), nor
        as the release of another name than the question's `owners` (`_belongs`)."""
        given = self._numbers_given.get((entry_id, lang), set())
        given = {number for number in given if self._belongs(number, owners, entry_id, lang)}
        if release in given or any(number.startswith(f"{release}p") for number in given):
            return True
        return release.endswith("p0") and release.removesuffix("p0") in given

    def _belongs(self, number: str, owners: set[str], entry_id: str, lang: str) -> bool:
        """Whether an entry's statement gives a number as the release of one of `owners` (the names the question
        gives it; any name when none), or of no name at all."""
        given = self._owners[(entry_id, lang)].get(number)
        return not owners or not given or "" in given or bool(owners & given)

    def _closest_question(self, entry_id: str, lang: str, weights: dict[str, float]) -> tuple[str, float]:
        """The entry's question nearest to the user's (weighted overlap over union of their words). Every question
        of an entry is about the entry's subjects, named in it or not: a question that names one of them is not
        nearer for that ("ejemplo de entrenamiento en jax": the training loop, not the one question naming JAX)."""
        own = {subject_term(s) for s in self._entries[entry_id].subjects} & weights.keys()
        best, closeness = "", 0.0
        for question, words in self._questions.get((entry_id, lang), []):
            shared = sum(weight for term, weight in weights.items() if term in words or term in own)
            extra = sum(self._idf(word, lang) for word in words if word not in weights)
            score = shared / (sum(weights.values()) + extra)
            if score > closeness or not best:
                best, closeness = question, score
        return best, closeness

    def current_claim(self, entry_id: str, lang: str) -> tuple[Claim, Claim | None] | None:
        """A fact or comparison as it holds now, and the older claim it revises (shown as history).

        When newer entries update this one, the newest of them leads and this one becomes the history."""
        with Session(self._engine) as session:
            for model in (models.Fact, models.Comparison):
                row = session.get(model, entry_id)
                if row is None:
                    continue
                newer = list(session.scalars(select(model).where(model.updates_id == row.id).order_by(model.date)))
                if newer:
                    return self._claim(newer[-1], lang), self._claim(row, lang)
                older = session.get(model, row.updates_id) if row.updates_id else None
                return self._claim(row, lang), (self._claim(older, lang) if older is not None else None)
        return None

    def recommendation(self, entry_id: str, lang: str) -> Recommendation | None:
        with Session(self._engine) as session:
            row = session.get(models.Recommendation, entry_id)
            return self._recommendation(session, row, lang) if row is not None else None

    def recommendation_rule(self, entry_id: str) -> tuple[str, str] | None:
        """(experience, goal) of a recommendation rule; None for any other entry."""
        return self._rules.get(entry_id)

    def rules_by_level(self, goal: str, lang: str) -> list[Recommendation]:
        """The rules for a goal at each experience level (none when the goal has a rule for any level), in the
        order of LEVELS."""
        with Session(self._engine) as session:
            rows = list(session.scalars(select(models.Recommendation).where(models.Recommendation.goal == goal)))
            if any(row.experience == ANY for row in rows):
                return []
            rows.sort(key=lambda row: LEVELS.index(row.experience) if row.experience in LEVELS else len(LEVELS))
            return [self._recommendation(session, row, lang) for row in rows]

    def rules_for_goal(self, goal: str) -> set[str]:
        """The frameworks the rules for a goal recommend, whatever the experience."""
        with Session(self._engine) as session:
            return set(
                session.scalars(select(models.Recommendation.framework).where(models.Recommendation.goal == goal))
            )

    # --- helpers -------------------------------------------------------------------------------
    def _recommendation(self, session: Session, row, lang: str) -> Recommendation:
        claim_ids = list(
            session.scalars(
                select(models.RecommendationReason.claim_id)
                .where(models.RecommendationReason.recommendation_id == row.id)
                .order_by(models.RecommendationReason.position)
            )
        )
        reasons = self._claims_by_id(session, claim_ids, lang)
        return Recommendation(
            row.framework, getattr(row, f"text_{lang}"), reasons, self._sources[row.source_id], row.id, row.experience
        )

    def _claim(self, row, lang: str) -> Claim:
        return Claim(
            id=row.id,
            text=getattr(row, f"text_{lang}"),
            source=self._sources[row.source_id],
            date=row.date,
            subject=getattr(row, "subject_id", ""),
            aspect=row.aspect,
            favours=getattr(row, "favours", None),
        )

    def _thread(self, rows: list, lang: str) -> list[Claim]:
        """Turn rows into claims, nesting each update under the claim it updates when both are present."""
        claims = {row.id: self._claim(row, lang) for row in rows}
        top = []
        for row in rows:
            target = claims.get(row.updates_id) if row.updates_id else None
            if target is not None:
                target.newer.append(claims[row.id])
            else:
                top.append(claims[row.id])
        return top

    def _claims_by_id(self, session: Session, ids: list[str], lang: str) -> list[Claim]:
        facts = {r.id: r for r in session.scalars(select(models.Fact).where(models.Fact.id.in_(ids)))}
        comparisons = {r.id: r for r in session.scalars(select(models.Comparison).where(models.Comparison.id.in_(ids)))}
        found = {**facts, **comparisons}
        return [self._claim(found[i], lang) for i in ids if i in found]


def _source(row: models.Source) -> SourceRef:
    return SourceRef(row.id, row.title, row.publisher, row.date, row.url)
