"""Build the SQLite knowledge base from the human-editable files in knowledge/sources and knowledge/snippets.

Usage: python -m knowledge.build [--out knowledge/build/kb.sqlite] [--runs knowledge/build/snippet_runs.json]
The file is written next to its destination and renamed into place, so a running bot never sees half a build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from knowledge import index, models
from knowledge.paths import DEFAULT_DB, DEFAULT_MEASUREMENTS, DEFAULT_RUNS, SNIPPETS_DIR, SOURCES_DIR
from knowledge.text import LANGUAGES


class SourceError(ValueError):
    """A knowledge source file is inconsistent; the message names the file and the entry."""


def _load(name: str) -> Any:
    """`<name>.yml`, then every file of the folder `<name>/` (by file name) added to it: a topic can keep its
    facts, sources and concepts in a file of its own. Lists are extended; in mappings, each key's list is."""
    with (SOURCES_DIR / f"{name}.yml").open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    for path in sorted((SOURCES_DIR / name).glob("*.yml")):
        more = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        where = f"{name}/{path.name}"
        if isinstance(document, list):
            _require(isinstance(more, list), f"{where}: should be a list of entries, like {name}.yml.")
            document.extend(more)
        else:
            _require(isinstance(more, dict), f"{where}: should be a mapping, like {name}.yml.")
            for key, items in more.items():
                _require(isinstance(items, list), f"{where}: '{key}' should be a list.")
                document.setdefault(key, []).extend(items)
    return document


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SourceError(message)


def code_subjects(subject_ids: set[str], framework_ids: set[str]) -> list[str]:
    """The subjects that have code: the frameworks, and any other subject with a folder in knowledge/snippets
    (`jax`: the tasks in plain JAX)."""
    folders = {path.name for path in SNIPPETS_DIR.iterdir() if path.is_dir() and path.name[0] not in "._"}
    unknown = ", ".join(sorted(folders - subject_ids))
    _require(not unknown, f"knowledge/snippets/{unknown}: no subject of that id in subjects.yml; add it or rename.")
    return sorted(framework_ids | folders)


def _texts(entry: dict, where: str) -> dict[str, str]:
    for lang in LANGUAGES:
        _require(bool(str(entry.get(lang, "")).strip()), f"{where}: '{entry.get('id')}' has no '{lang}' text.")
    return {f"text_{lang}": str(entry[lang]).strip() for lang in LANGUAGES}


@dataclass
class Known:
    """What the sources read so far define, for the cross-checks of those read later."""

    sources: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    frameworks: set[str] = field(default_factory=set)
    coded: list[str] = field(default_factory=list)  # subjects with code (knowledge/snippets/<subject>/)
    facts: set[str] = field(default_factory=set)
    comparisons: set[str] = field(default_factory=set)


Rows = dict[str, list]


def read_sources() -> Rows:
    """Read and cross-check every source file, one loader per kind, in the order their references need;
    returns ORM rows by table."""
    rows: Rows = {name: [] for name in ("sources", "subjects", "terms", "facts", "comparisons")}
    rows.update({"recommendations": [], "reasons": [], "tasks": [], "snippets": [], "not_applicable": []})
    known = Known()
    for loader in (read_source_list, read_subjects, read_vocabulary, read_facts, read_comparisons):
        loader(rows, known)
    read_recommendations(rows, known)
    read_tasks(rows, known)
    return rows


def read_source_list(rows: Rows, known: Known) -> None:
    """sources.yml: what every claim cites."""
    for entry in _load("sources"):
        known.sources.add(entry["id"])
        rows["sources"].append(
            models.Source(
                id=entry["id"],
                title=entry["title"],
                publisher=entry["publisher"],
                date=str(entry["date"]),
                language=entry["language"],
                url=entry.get("url"),
            )
        )


def read_subjects(rows: Rows, known: Known) -> None:
    """subjects.yml: the frameworks and concepts, with the names users type for them."""
    subjects = _load("subjects")
    known.frameworks = {item["id"] for item in subjects["frameworks"]}
    for item in subjects["frameworks"]:
        rows["subjects"].append(
            models.Subject(id=item["id"], kind="framework", name_en=item["name"], name_es=item["name"])
        )
        for phrase in item["aliases"]:
            rows["terms"].append(
                models.Term(entity="framework", value=item["id"], language="*", phrase=phrase, fuzzy=True)
            )
    for item in subjects["concepts"]:
        rows["subjects"].append(
            models.Subject(id=item["id"], kind="concept", name_en=item["name"]["en"], name_es=item["name"]["es"])
        )
        for lang in LANGUAGES:
            for phrase in item["aliases"][lang]:
                rows["terms"].append(models.Term(entity="concept", value=item["id"], language=lang, phrase=phrase))
    known.subjects = {row.id for row in rows["subjects"]}
    known.coded = code_subjects(known.subjects, known.frameworks)


def read_vocabulary(rows: Rows, known: Known) -> None:
    """vocabulary.yml: the phrases of each aspect, experience level and goal."""
    for entity, values in _load("vocabulary").items():
        for value, phrases in values.items():
            for lang in LANGUAGES:
                for phrase in phrases[lang]:
                    rows["terms"].append(models.Term(entity=entity, value=value, language=lang, phrase=phrase))


def _check_claim(entry: dict, where: str, taken: set[str], known: Known) -> None:
    _require(entry["id"] not in taken, f"{where}: id '{entry['id']}' is used twice.")
    _require(entry["source"] in known.sources, f"{where}: '{entry['id']}' cites unknown source '{entry['source']}'.")


def read_facts(rows: Rows, known: Known) -> None:
    """facts.yml (and facts/): one claim about one subject and aspect, with its source and any update."""
    facts = _load("facts")
    for entry in facts:
        _check_claim(entry, "facts.yml", known.facts, known)
        _require(
            entry["subject"] in known.subjects, f"facts.yml: '{entry['id']}' has unknown subject '{entry['subject']}'."
        )
        known.facts.add(entry["id"])
    for entry in facts:
        _require(
            entry.get("updates") in (None, *known.facts),
            f"facts.yml: '{entry['id']}' updates unknown '{entry.get('updates')}'.",
        )
        rows["facts"].append(
            models.Fact(
                id=entry["id"],
                subject_id=entry["subject"],
                aspect=entry["aspect"],
                source_id=entry["source"],
                date=str(entry["date"]),
                updates_id=entry.get("updates"),
                **_texts(entry, "facts.yml"),
            )
        )


def read_comparisons(rows: Rows, known: Known) -> None:
    """comparisons.yml (and comparisons/): a claim about a pair of frameworks on one aspect."""
    comparisons = _load("comparisons")
    for entry in comparisons:
        _check_claim(entry, "comparisons.yml", known.comparisons | known.facts, known)
        pair = entry["frameworks"]
        _require(
            len(pair) == 2 and set(pair) <= known.frameworks,
            f"comparisons.yml: '{entry['id']}' needs two frameworks.",
        )
        _require(
            entry.get("favours") in (None, *pair),
            f"comparisons.yml: '{entry['id']}' favours a framework outside its pair.",
        )
        known.comparisons.add(entry["id"])
    for entry in comparisons:
        a, b = sorted(entry["frameworks"])
        _require(
            entry.get("updates") in (None, *known.comparisons),
            f"comparisons.yml: '{entry['id']}' updates unknown '{entry.get('updates')}'.",
        )
        rows["comparisons"].append(
            models.Comparison(
                id=entry["id"],
                framework_a=a,
                framework_b=b,
                aspect=entry["aspect"],
                favours=entry.get("favours"),
                source_id=entry["source"],
                date=str(entry["date"]),
                updates_id=entry.get("updates"),
                **_texts(entry, "comparisons.yml"),
            )
        )


def read_recommendations(rows: Rows, known: Known) -> None:
    """recommendations.yml (and recommendations/): a framework for an experience level and goal, with the
    facts and comparisons that are its reasons."""
    rule_ids: set[str] = set()
    for entry in _load("recommendations"):
        _check_claim(entry, "recommendations.yml", rule_ids, known)
        rule_ids.add(entry["id"])
        _require(
            entry["framework"] in known.frameworks, f"recommendations.yml: '{entry['id']}' names unknown framework."
        )
        for position, claim in enumerate(entry.get("reasons") or []):
            _require(
                claim in known.facts | known.comparisons,
                f"recommendations.yml: '{entry['id']}' cites unknown '{claim}'.",
            )
            rows["reasons"].append(
                models.RecommendationReason(recommendation_id=entry["id"], position=position, claim_id=claim)
            )
        rows["recommendations"].append(
            models.Recommendation(
                id=entry["id"],
                experience=entry["experience"],
                goal=entry["goal"],
                framework=entry["framework"],
                source_id=entry["source"],
                date=str(entry["date"]),
                **_texts(entry, "recommendations.yml"),
            )
        )


def read_tasks(rows: Rows, known: Known) -> None:
    """tasks.yml and knowledge/snippets/<subject>/<task>.py: the code tasks, their snippets, and why a task has
    no code in a subject."""
    for position, task in enumerate(_load("tasks")):
        rows["tasks"].append(
            models.Task(id=task["id"], position=position, title_en=task["title"]["en"], title_es=task["title"]["es"])
        )
        for lang in LANGUAGES:
            for phrase in task.get("aliases", {}).get(lang, []):
                rows["terms"].append(models.Term(entity="task", value=task["id"], language=lang, phrase=phrase))
        for framework, why in (task.get("not_applicable") or {}).items():
            _require(
                framework in known.coded,
                f"tasks.yml: '{task['id']}' is not applicable in '{framework}', which has no code: name a framework "
                "or a subject with a folder in knowledge/snippets.",
            )
            rows["not_applicable"].append(
                models.NotApplicable(framework=framework, task_id=task["id"], text_en=why["en"], text_es=why["es"])
            )
        for framework in known.coded:
            path = SNIPPETS_DIR / framework / f"{task['id']}.py"
            if path.exists():
                rows["snippets"].append(
                    models.Snippet(
                        framework=framework,
                        task_id=task["id"],
                        path=str(path.relative_to(SNIPPETS_DIR.parent.parent)),
                        code=path.read_text(encoding="utf-8"),
                    )
                )


def summarise_backends(backends: dict[str, dict], digest: str) -> dict | None:
    """One outcome for a Keras snippet from its runs on each backend (those of its current code only).

    It passed if it passed on any backend, and is described by the backends it passed on, e.g.
    "Keras 3.15.1 (backends: TensorFlow 2.21.0, JAX 0.10.2, PyTorch 2.13.0+cpu), Python 3.11.7"."""
    current = [run for run in backends.values() if run["sha256"] == digest]
    if not current:
        return None
    passed = [run for run in current if run["passed"]]
    described = passed or current
    libraries = described[0]["libraries"]
    names = ", ".join(run["libraries"]["backend"] for run in described)
    plural = "s" if len(described) > 1 else ""
    return {
        "passed": bool(passed),
        "checked_on": max(run["checked_on"] for run in described),
        "versions": f"Keras {libraries['keras']} (backend{plural}: {names}), Python {libraries['python']}",
        "seconds": round(sum(run["seconds"] for run in current), 2),
    }


def attach_runs(snippets: list[models.Snippet], runs_path: Path) -> None:
    """Copy the outcome of the last verification run onto snippets whose code has not changed since.

    A Keras snippet's record has one run per backend (see knowledge.verify): it counts as passed with the backends
    it passed on with its current code, and its versions name them."""
    if not runs_path.exists():
        return
    runs = json.loads(runs_path.read_text(encoding="utf-8"))
    for snippet in snippets:
        run = runs.get(snippet.path)
        digest = code_digest(snippet.code)
        if run and "backends" in run:
            run = summarise_backends(run["backends"], digest)
        elif run and run["sha256"] != digest:
            run = None
        if run:
            snippet.passed = run["passed"]
            snippet.checked_on = run["checked_on"]
            snippet.versions = run["versions"]
            snippet.seconds = run["seconds"]


def read_measurements(path: Path) -> tuple[list, list]:
    """Rows from the file `make measure` writes; none when speed was never measured here."""
    if not path.exists():
        return [], []
    data = json.loads(path.read_text(encoding="utf-8"))
    hardware = data["hardware"]
    described = f"{hardware['cpu']}, {hardware['cores']} cores, {hardware['memory_gb']} GB, {hardware['os']}"
    versions = ", ".join(f"{name} {version}" for name, version in data["versions"].items())
    run = models.MeasurementRun(
        id=1,
        measured_on=data["measured_on"],
        hardware=described,
        versions=versions,
        settings=json.dumps(data["settings"]),
    )
    figures = [
        models.Measurement(
            framework=item["framework"],
            workload=item["workload"],
            train_step_ms=item["train_step_ms"],
            inference_batch_ms=item["inference_batch_ms"],
        )
        for item in data["results"]
    ]
    return [run], figures


def build(out: Path, runs_path: Path = DEFAULT_RUNS, measurements_path: Path = DEFAULT_MEASUREMENTS) -> dict[str, int]:
    if out.exists() and not out.is_file():  # renaming the build onto /dev/null would replace the device
        raise SourceError(f"{out} exists and is not a regular file: give --out a file path.")
    rows = read_sources()
    try:
        questions = index.load_questions(SOURCES_DIR / index.QUESTIONS_DIR_NAME)
        same_claims = index.load_same_claims(SOURCES_DIR / index.SAME_CLAIMS_FILE)
        synonyms = index.load_synonyms(SOURCES_DIR / index.SYNONYMS_FILE)
        asking = index.load_asking_phrases(SOURCES_DIR / index.ASKING_PHRASES_FILE)
        makers = index.load_makers(SOURCES_DIR / index.MAKERS_FILE)
        entries = index.entry_rows(rows, questions, same_claims)
    except ValueError as error:
        raise SourceError(str(error)) from error
    attach_runs(rows["snippets"], runs_path)
    rows["measurement_runs"], rows["measurements"] = read_measurements(measurements_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{partial}")
    models.Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        for table in ("sources", "subjects", "terms", "tasks"):
            session.add_all(rows[table])
        session.flush()
        for table in ("facts", "comparisons", "recommendations", "snippets", "not_applicable", "measurements"):
            session.add_all(rows[table])
        session.flush()
        session.add_all(rows["reasons"] + rows["measurement_runs"])
        session.flush()
        try:
            unshown = index.searched_only(SOURCES_DIR / index.QUESTIONS_DIR_NAME)
            index.write_index(session, rows, entries, questions, synonyms, unshown, asking, makers)
        except ValueError as error:
            raise SourceError(str(error)) from error
    engine.dispose()
    os.replace(partial, out)
    counts = {table: len(items) for table, items in rows.items()}
    counts["entries"] = len(entries)
    counts["questions"] = sum(len(texts) for by_language in questions.values() for texts in by_language.values())
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=Path, default=DEFAULT_RUNS)
    parser.add_argument("--measurements", type=Path, default=DEFAULT_MEASUREMENTS)
    args = parser.parse_args(argv)
    try:
        counts = build(args.out, args.runs, args.measurements)
    except SourceError as error:
        print(
            f"knowledge build failed: {error} Fix the file in knowledge/sources and run `make kb` again.",
            file=sys.stderr,
        )
        return 1
    print(f"built {args.out}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
