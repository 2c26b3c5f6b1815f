"""Every code snippet runs as-is in the project's environment; the bot only shows snippets that passed."""

from __future__ import annotations

import pytest

from knowledge.paths import ROOT
from knowledge.store import KnowledgeStore
from knowledge.verify import run_snippet, snippet_paths

PATHS = snippet_paths()


def test_every_task_has_code_or_a_reason_in_every_framework(store: KnowledgeStore):
    for task in store.tasks():
        for framework in ("keras", "tensorflow", "pytorch"):
            has_file = (ROOT / "knowledge" / "snippets" / framework / f"{task}.py").exists()
            assert has_file or store.not_applicable(framework, task, "en"), (framework, task)


@pytest.mark.parametrize("path", PATHS, ids=[f"{p.parent.name}/{p.stem}" for p in PATHS])
def test_snippet_runs(path):
    run = run_snippet(path)
    assert run.passed, run.output


def test_store_shows_only_snippets_whose_current_code_passed(store: KnowledgeStore, kb_path):
    from sqlalchemy import create_engine, text

    with create_engine(f"sqlite:///{kb_path}").connect() as connection:
        rows = connection.execute(text("SELECT framework, task_id, passed FROM snippets")).all()
    for framework, task, passed in rows:
        assert (store.snippet(framework, task, "en") is not None) == bool(passed)
