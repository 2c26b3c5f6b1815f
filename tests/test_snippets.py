"""Every code snippet runs as-is in the project's environment; the bot only shows snippets that passed.

The snippets are executed by `python -m knowledge.verify`, which `make test` runs (through `make kb`) whenever a
snippet, the verifier or the lock file changed; these tests read that run's record and fail on any snippet that
did not pass with its current code and the installed library versions.
"""

from __future__ import annotations

import json

import pytest

from knowledge.build import code_digest
from knowledge.paths import DEFAULT_RUNS, ROOT
from knowledge.store import KnowledgeStore
from knowledge.verify import snippet_paths, versions_for

PATHS = snippet_paths()


@pytest.fixture(scope="module")
def runs() -> dict:
    assert DEFAULT_RUNS.exists(), "no snippet run recorded: run `make kb` (or `python -m knowledge.verify`)"
    return json.loads(DEFAULT_RUNS.read_text(encoding="utf-8"))


def test_every_task_has_code_or_a_reason_in_every_framework(store: KnowledgeStore):
    for task in store.tasks():
        for framework in ("keras", "tensorflow", "pytorch"):
            has_file = (ROOT / "knowledge" / "snippets" / framework / f"{task}.py").exists()
            assert has_file or store.not_applicable(framework, task, "en"), (framework, task)


@pytest.mark.parametrize("path", PATHS, ids=[f"{p.parent.name}/{p.stem}" for p in PATHS])
def test_snippet_ran_and_passed(runs, path):
    run = runs.get(str(path.relative_to(ROOT)))
    assert run is not None, f"{path.name} was never run"
    assert run["sha256"] == code_digest(path.read_text(encoding="utf-8")), "the snippet changed since its last run"
    assert run["versions"] == versions_for(path.parent.name)
    assert run["passed"], run["output"]


def test_store_shows_only_snippets_whose_current_code_passed(store: KnowledgeStore, runs):
    for path in PATHS:
        framework, task = path.parent.name, path.stem
        run = runs[str(path.relative_to(ROOT))]
        assert (store.snippet(framework, task, "en") is not None) == run["passed"]
