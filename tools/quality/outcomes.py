"""What came back instead of an answer: the bot's excuses, told apart by their fixed beginnings in the locale files.

Shared by the bench's simulated users (locustfile.py, which marks them as failures by these names) and the
report (bench.py, which counts each in its own column). Reads only YAML: Locust's process imports it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.paths import ROOT
from knowledge.text import LANGUAGES

OUTCOMES = ("apology", "rate limited", "fallback")  # the failure names bench.py counts in their own columns


def _texts(path: Path, *keys: str) -> list[str]:
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for key in keys:
        node = table
        for part in key.split("."):
            node = node[part]
        found.append(node.split(":")[0].strip())  # the fixed beginning, before any example list
    return found


def _load_excuses() -> dict[str, list[str]]:
    excuses: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        channel = ROOT / "bot" / "channels" / "locales" / f"{lang}.yml"
        actions = ROOT / "actions" / "locales" / f"{lang}.yml"
        excuses.setdefault("apology", []).extend(_texts(channel, "unavailable"))
        excuses.setdefault("rate limited", []).extend(_texts(channel, "rate_limited"))
        excuses.setdefault("fallback", []).extend(_texts(actions, "low_confidence.offer", "low_confidence.rephrase"))
    return excuses


EXCUSES = _load_excuses()


def outcome_of(status: int, replies: list[dict]) -> str | None:
    """None for an answer; else what came instead (an OUTCOMES name, or the problem)."""
    if status == 429:
        return "rate limited"
    if status != 200:
        return f"status {status}"
    text = "\n".join(reply.get("text") or "" for reply in replies).strip()
    if not replies or not (text or any(reply.get("buttons") for reply in replies)):
        return "empty reply"
    for outcome, beginnings in EXCUSES.items():
        if any(text.startswith(beginning) for beginning in beginnings):
            return outcome
    return None
