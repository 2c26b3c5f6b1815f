"""The action server's one knowledge store, opened read-only when the server starts (actions/__main__.py)."""

from __future__ import annotations

from functools import lru_cache

from knowledge.store import KnowledgeStore


@lru_cache(maxsize=1)
def store() -> KnowledgeStore:
    return KnowledgeStore()
