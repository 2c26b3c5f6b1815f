"""Read-only query API over the knowledge base. Every method returns plain data in one language."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from sqlalchemy import create_engine, func, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from knowledge import models
from knowledge.paths import database_url

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

    def aspects_of(self, subject: str) -> list[str]:
        with Session(self._engine) as session:
            rows = session.scalars(select(models.Fact.aspect).where(models.Fact.subject_id == subject).distinct())
            return sorted(rows)

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

    def compared_aspects(self) -> list[str]:
        with Session(self._engine) as session:
            return sorted(session.scalars(select(models.Comparison.aspect).distinct()))

    # --- recommendations ---------------------------------------------------------------------
    def recommend(self, experience: str, goal: str, lang: str) -> Recommendation | None:
        """The most specific rule for the user: exact match beats one `any`, which beats two."""
        with Session(self._engine) as session:
            rules = list(
                session.scalars(
                    select(models.Recommendation).where(
                        models.Recommendation.experience.in_([experience, ANY]),
                        models.Recommendation.goal.in_([goal, ANY]),
                    )
                )
            )
            if not rules:
                return None
            best = max(rules, key=lambda r: ((r.experience != ANY) + (r.goal != ANY), r.goal != ANY))
            claim_ids = list(
                session.scalars(
                    select(models.RecommendationReason.claim_id)
                    .where(models.RecommendationReason.recommendation_id == best.id)
                    .order_by(models.RecommendationReason.position)
                )
            )
            reasons = self._claims_by_id(session, claim_ids, lang)
            return Recommendation(best.framework, getattr(best, f"text_{lang}"), reasons, self._sources[best.source_id])

    # --- code ----------------------------------------------------------------------------------
    def snippet(self, framework: str, task: str, lang: str) -> Snippet | None:
        """The snippet for a task, only if its last verification run passed with the current code."""
        with Session(self._engine) as session:
            row = session.get(models.Snippet, (framework, task))
            if row is None or not row.passed:
                return None
            return Snippet(framework, task, self.task_title(task, lang), row.code, row.versions, row.checked_on)

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

    # --- helpers -------------------------------------------------------------------------------
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
