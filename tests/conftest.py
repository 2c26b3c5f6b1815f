"""Shared set-up: every test session builds its own knowledge base from the source files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from knowledge.build import build
from knowledge.paths import DEFAULT_RUNS

_TMP = Path(tempfile.mkdtemp(prefix="kb-test-"))
TEST_DB = _TMP / "kb.sqlite"
# A measurement file in the format `make measure` writes (real measuring is tested in test_measure.py).
MEASUREMENTS = Path(__file__).parent / "fixtures" / "measurements.json"


def pytest_configure(config: pytest.Config) -> None:
    # Built before any test module imports the action server, which opens the store at import time.
    build(TEST_DB, DEFAULT_RUNS, MEASUREMENTS)
    os.environ["KNOWLEDGE_DB_URL"] = f"sqlite:///{TEST_DB}"


@pytest.fixture(scope="session")
def kb_path() -> Path:
    return TEST_DB


@pytest.fixture(scope="session")
def store(kb_path: Path):
    from knowledge.store import KnowledgeStore

    return KnowledgeStore(f"sqlite:///{kb_path}")
