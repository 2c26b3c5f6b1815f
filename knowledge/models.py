"""SQLAlchemy models of the knowledge base (one table per kind of knowledge)."""

from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Source(Base):
    __tablename__ = "sources"
    id = Column(String, primary_key=True)
    title = Column(Text, nullable=False)
    publisher = Column(Text, nullable=False)
    date = Column(String, nullable=False)
    language = Column(String(2), nullable=False)
    url = Column(Text)


class Subject(Base):
    """A framework or a concept (deep learning, machine learning, ...)."""

    __tablename__ = "subjects"
    id = Column(String, primary_key=True)
    kind = Column(String, nullable=False)  # "framework" or "concept"
    name_en = Column(Text, nullable=False)
    name_es = Column(Text, nullable=False)


class Term(Base):
    """A word or phrase users type for an entity value (language "*" means any language)."""

    __tablename__ = "terms"
    id = Column(Integer, primary_key=True)
    entity = Column(String, nullable=False, index=True)
    value = Column(String, nullable=False)
    language = Column(String(2), nullable=False)
    phrase = Column(Text, nullable=False)
    fuzzy = Column(Boolean, nullable=False, default=False)


class Fact(Base):
    __tablename__ = "facts"
    id = Column(String, primary_key=True)
    subject_id = Column(String, ForeignKey("subjects.id"), nullable=False, index=True)
    aspect = Column(String, nullable=False, index=True)
    text_en = Column(Text, nullable=False)
    text_es = Column(Text, nullable=False)
    source_id = Column(String, ForeignKey("sources.id"), nullable=False)
    date = Column(String, nullable=False)
    updates_id = Column(String, ForeignKey("facts.id"))


class Comparison(Base):
    __tablename__ = "comparisons"
    id = Column(String, primary_key=True)
    framework_a = Column(String, ForeignKey("subjects.id"), nullable=False)
    framework_b = Column(String, ForeignKey("subjects.id"), nullable=False)
    aspect = Column(String, nullable=False, index=True)
    favours = Column(String, ForeignKey("subjects.id"))
    text_en = Column(Text, nullable=False)
    text_es = Column(Text, nullable=False)
    source_id = Column(String, ForeignKey("sources.id"), nullable=False)
    date = Column(String, nullable=False)
    updates_id = Column(String, ForeignKey("comparisons.id"))


class Recommendation(Base):
    __tablename__ = "recommendations"
    id = Column(String, primary_key=True)
    experience = Column(String, nullable=False)  # a level or "any"
    goal = Column(String, nullable=False)  # a goal or "any"
    framework = Column(String, ForeignKey("subjects.id"), nullable=False)
    text_en = Column(Text, nullable=False)
    text_es = Column(Text, nullable=False)
    source_id = Column(String, ForeignKey("sources.id"), nullable=False)
    date = Column(String, nullable=False)


class RecommendationReason(Base):
    """A fact or comparison that backs a recommendation."""

    __tablename__ = "recommendation_reasons"
    recommendation_id = Column(String, ForeignKey("recommendations.id"), primary_key=True)
    position = Column(Integer, primary_key=True)
    claim_id = Column(String, nullable=False)


class Task(Base):
    __tablename__ = "tasks"
    id = Column(String, primary_key=True)
    position = Column(Integer, nullable=False)
    title_en = Column(Text, nullable=False)
    title_es = Column(Text, nullable=False)


class Snippet(Base):
    """Code for a task in a framework, with the outcome of its last verified run."""

    __tablename__ = "snippets"
    framework = Column(String, ForeignKey("subjects.id"), primary_key=True)
    task_id = Column(String, ForeignKey("tasks.id"), primary_key=True)
    path = Column(Text, nullable=False)
    code = Column(Text, nullable=False)
    passed = Column(Boolean)  # None: never run
    checked_on = Column(String)
    versions = Column(Text)  # e.g. "Python 3.11.7, torch 2.13.0"
    seconds = Column(Float)


class NotApplicable(Base):
    """A task that has no sensible form in a framework, and why."""

    __tablename__ = "not_applicable"
    framework = Column(String, ForeignKey("subjects.id"), primary_key=True)
    task_id = Column(String, ForeignKey("tasks.id"), primary_key=True)
    text_en = Column(Text, nullable=False)
    text_es = Column(Text, nullable=False)


class Measurement(Base):
    """A speed figure measured on this machine by `make measure` (medians, milliseconds)."""

    __tablename__ = "measurements"
    framework = Column(String, ForeignKey("subjects.id"), primary_key=True)
    workload = Column(String, primary_key=True)  # "mlp" or "cnn"
    train_step_ms = Column(Float, nullable=False)
    inference_batch_ms = Column(Float, nullable=False)


class MeasurementRun(Base):
    """Where and with what the measurements were taken (one row)."""

    __tablename__ = "measurement_runs"
    id = Column(Integer, primary_key=True)
    measured_on = Column(String, nullable=False)
    hardware = Column(Text, nullable=False)
    versions = Column(Text, nullable=False)
    settings = Column(Text, nullable=False)


class Entry(Base):
    """Something the bot can answer with: a fact, comparison, recommendation, code task or subject overview.

    `subjects` lists the frameworks or concepts it is about (space-separated; every framework for a code
    task); its questions and terms are in `entry_questions` and the full-text index `entry_index`.
    """

    __tablename__ = "entries"
    id = Column(String, primary_key=True)
    kind = Column(String, nullable=False)  # fact, comparison, recommendation, task, overview
    subjects = Column(Text, nullable=False)
    aspect = Column(String)
    # The oldest claim of its update chain (itself when none); entries that state one claim share it (same_claims.yml).
    chain = Column(String, nullable=False)


class EntryQuestion(Base):
    """A question an entry answers, as users type it."""

    __tablename__ = "entry_questions"
    entry_id = Column(String, ForeignKey("entries.id"), primary_key=True)
    language = Column(String(2), primary_key=True)
    position = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    terms = Column(Text, nullable=False)  # its index terms, space-separated
    shown = Column(Boolean, nullable=False, default=True)  # offered as a button (informal phrasings are only searched)


class StopWord(Base):
    """Words left out of the search index and of queries (spaCy's lists, folded)."""

    __tablename__ = "stop_words"
    language = Column(String(2), primary_key=True)
    word = Column(String, primary_key=True)


class Synonym(Base):
    """A word people type for words the knowledge base uses ("diff" for "difference", "celular" for "móvil"), as
    index terms: a query holding `term` is searched with `means` instead (knowledge/sources/synonyms.yml)."""

    __tablename__ = "synonyms"
    language = Column(String(2), primary_key=True)
    term = Column(String, primary_key=True)
    means = Column(String, nullable=False)


class AskingPhrase(Base):
    """A phrase that tells what kind of answer a question wants (`kind`: "number" for "how many", "overview" for
    "give me an overview"), or, with `asks` false, a longer one holding it that asks something else ("how much
    faster"), folded (knowledge/sources/asking_phrases.yml)."""

    __tablename__ = "asking_phrases"
    kind = Column(String, primary_key=True)
    language = Column(String(2), primary_key=True)
    phrase = Column(String, primary_key=True)
    asks = Column(Boolean, nullable=False)


class Maker(Base):
    """A company, foundation or person that makes the tools ("nvidia", "linux foundation"), folded
    (knowledge/sources/makers.yml): a statement naming one says who made something."""

    __tablename__ = "makers"
    name = Column(String, primary_key=True)


class EntryNumber(Base):
    """A release number an entry's statement gives ("2p21" for 2.21; not a year), with a name it belongs to there: a
    subject ("tensorflow") or a rare word ("executorch"); empty where no name comes before it (knowledge/text.py
    `numbers_named`). One row per (number, name) found."""

    __tablename__ = "entry_numbers"
    entry_id = Column(String, ForeignKey("entries.id"), primary_key=True)
    language = Column(String(2), primary_key=True)
    number = Column(String, primary_key=True)
    owner = Column(String, primary_key=True)  # "" where no name comes before it


class CommonWord(Base):
    """How common a word stem is in the language at large (the log probability of its most frequent form in
    spacy-lookups-data's `lexeme_prob` table), for stems down to COMMON_WORD_FLOOR (knowledge/text.py). A word the
    knowledge base uses weighs less in a search the more common it is."""

    __tablename__ = "common_words"
    language = Column(String(2), primary_key=True)
    stem = Column(String, primary_key=True)
    log_prob = Column(Float, nullable=False)
