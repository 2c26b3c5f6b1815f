"""Answers composed from knowledge-store data: Markdown text plus buttons, in one language.

Channels decide how to show them (bot/); nothing here knows about Rasa or a channel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from actions.i18n import Strings
from knowledge.store import Claim, KnowledgeStore

COMPARE_ASPECTS = (
    "deployment",
    "speed",
    "debugging",
    "visualization",
    "dataset_size",
    "popularity",
    "community",
    "distributed",
    "platforms",
    "learning_curve",
)


@dataclass
class Answer:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


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

    # --- answers -------------------------------------------------------------------------------
    def smalltalk(self, intent: str) -> Answer:
        with_examples = intent in ("greet", "help", "out_of_scope")
        return Answer(self.t(f"smalltalk.{intent}"), self.examples() if with_examples else [])

    def low_confidence(self, ranking: list[dict], entities: dict[str, list[str]]) -> Answer:
        titles = self.t.raw("intent_titles")
        likely = [item["name"] for item in ranking if item.get("name") in titles and item.get("confidence", 0) >= 0.1][
            :3
        ]
        if not likely:
            return Answer(self.t("low_confidence.rephrase"), self.examples())
        buttons = [{"title": titles[name], "payload": intent_payload(name, **entities)} for name in likely]
        return Answer(self.t("low_confidence.offer"), buttons)

    def define(self, subjects: list[str]) -> Answer:
        if not subjects:
            return Answer(self.t("define.unknown"), self.examples())
        parts = []
        for subject in subjects:
            claims = self.store.facts(subject, self.lang, "definition") + self.store.facts(
                subject, self.lang, "relationship"
            )
            parts.append("\n".join([self.t("define.heading", name=self.name(subject)), *self.claim_lines(claims)]))
        buttons = []
        frameworks = [s for s in subjects if self.store.is_framework(s)]
        for framework in frameworks:
            buttons.append(
                {
                    "title": self.t("define.example_button", name=self.name(framework)),
                    "payload": intent_payload("ask_code", framework=framework),
                }
            )
        buttons.append(
            {
                "title": self.t("define.compare_button"),
                "payload": intent_payload("compare", framework=frameworks or list(self.frameworks)),
            }
        )
        return Answer("\n\n".join(parts), buttons)

    def fact(self, frameworks: list[str], aspect: str | None) -> Answer:
        if not frameworks:
            if aspect:
                frameworks = list(self.frameworks)
            else:
                return Answer(self.t("fact.ask_framework"))
        parts = []
        for framework in frameworks:
            claims = self.store.facts(framework, self.lang, aspect) if aspect else []
            if claims:
                heading = self.t("fact.heading", name=self.name(framework), aspect=self.t.aspect(aspect))
                parts.append("\n".join([heading, *self.claim_lines(claims)]))
            else:
                overview = self.store.facts(framework, self.lang, "definition") + self.store.facts(
                    framework, self.lang, "origin"
                )
                intro = (
                    self.t("fact.none", name=self.name(framework), aspect=self.t.aspect(aspect))
                    if aspect
                    else f"**{self.name(framework)}**"
                )
                parts.append("\n".join([intro, *self.claim_lines(overview)]))
        if aspect == "speed":
            parts.append("\n".join(self.measured_speed(frameworks)).strip())
        return Answer("\n\n".join(parts), self._aspect_buttons("ask_fact", frameworks, aspect))

    def compare(self, frameworks: list[str], aspect: str | None) -> Answer:
        frameworks = [f for f in self.frameworks if f in frameworks]
        if len(frameworks) < 2:
            frameworks = list(self.frameworks)
        names = self.t("compare.and").join(self.name(f) for f in frameworks)
        heading = self.t("compare.heading", names=names, aspect=self.t.aspect(aspect))
        claims = self.store.comparisons(frameworks, self.lang, aspect)
        lines = [heading, *self.claim_lines(claims)]
        if aspect and len(claims) < len(frameworks) - 1:
            per_framework = [(f, self.store.facts(f, self.lang, aspect)) for f in frameworks]
            per_framework = [(f, found) for f, found in per_framework if found]
            if per_framework:
                if not claims:
                    lines.append(self.t("compare.fallback"))
                for framework, found in per_framework:
                    lines.append(f"\n**{self.name(framework)}**")
                    lines.extend(self.claim_lines(found))
            elif not claims:
                aspects = ", ".join(self.t.aspect(a) for a in COMPARE_ASPECTS)
                lines.append(self.t("compare.unknown_aspect", aspects=aspects))
        if aspect == "speed":
            lines.extend(self.measured_speed(frameworks))
        return Answer("\n".join(lines), self._aspect_buttons("compare", frameworks, aspect))

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

    def _aspect_buttons(self, intent: str, frameworks: list[str], aspect: str | None) -> list[dict[str, str]]:
        others = [a for a in COMPARE_ASPECTS if a != aspect][:4]
        return [
            {"title": self.t.aspect(a).capitalize(), "payload": intent_payload(intent, framework=frameworks, aspect=a)}
            for a in others
        ]

    def code(self, frameworks: list[str], task: str | None) -> Answer:
        if not task:
            buttons = [
                {
                    "title": self.store.task_title(t, self.lang),
                    "payload": intent_payload("ask_code", framework=frameworks, task=t),
                }
                for t in self.store.tasks()
            ]
            return Answer(self.t("code.ask_task"), buttons)
        frameworks = [f for f in self.frameworks if f in frameworks] or list(self.frameworks)
        title = self.store.task_title(task, self.lang)
        parts = []
        for framework in frameworks:
            snippet = self.store.snippet(framework, task, self.lang)
            reason = self.store.not_applicable(framework, task, self.lang)
            if snippet:
                checked = self.t("code.checked", versions=snippet.versions, date=snippet.checked_on)
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
                    "payload": intent_payload("ask_code", framework=list(self.frameworks), task=task),
                }
            )
        return Answer("\n\n".join(parts), buttons)

    def recommend(self, experience: str, goal: str) -> Answer:
        found = self.store.recommend(experience, goal, self.lang)
        if found is None:
            return Answer(self.t("recommend.none"))
        who = self.t(
            "recommend.for_you",
            experience=self.t.raw("values.experience").get(experience, experience),
            goal=self.t.raw("values.goal").get(goal, goal),
        )
        name = self.name(found.framework)
        lines = [
            f"{self.t('recommend.intro', name=name)} {who}",
            "",
            found.text,
            "",
            self.t("recommend.why"),
            *self.claim_lines(found.reasons),
        ]
        buttons = [
            {
                "title": self.t("recommend.code_button", name=name),
                "payload": intent_payload("ask_code", framework=found.framework, task="train"),
            }
        ]
        return Answer("\n".join(lines), buttons)

    def ask(self, slot: str) -> Answer:
        values = self.t.raw(f"values.{slot}")
        buttons = [
            {"title": title.capitalize(), "payload": intent_payload("inform", **{slot: value})}
            for value, title in values.items()
        ]
        return Answer(self.t(f"ask.{slot}"), buttons)
