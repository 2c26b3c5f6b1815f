"""Where the Rasa server's memory goes: resident memory after each thing it loads, in the order it loads them.

Usage: python -m tools.quality.memory [--out reports/memory.md]

Runs the steps of a Rasa server's start in a fresh process (`--step` mode, below) — TensorFlow, Rasa's core, our
patches, the spaCy pipelines of each language (blank, with the lemma tables of spacy-lookups-data), the trained
model, one message parsed — and reports the resident memory each step added.
Issue 18 asks for a Rasa server under 800 MB; this shows what would have to go to get there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psutil

from bot.launch.serve import MODEL
from knowledge.paths import ROOT
from tools.quality.markdown import code_version, machine_line, now, table

MiB = 2**20


def _python() -> None:
    from bot.extensions.patches import torch_absent

    torch_absent.apply()  # as patches.apply() does first: spaCy's thinc would import PyTorch


def _patches() -> None:
    from bot.extensions import patches

    patches.apply()


def _tensorflow() -> None:
    import tensorflow  # noqa: F401


def _rasa() -> None:
    import rasa.core.agent  # noqa: F401
    import rasa.core.run  # noqa: F401


def _pipeline(lang: str) -> Callable[[], None]:
    def load() -> None:
        from knowledge.text import analyse

        analyse("hola" if lang == "es" else "hello", lang)

    return load


_agent: list = []


def _model() -> None:
    from rasa.core.agent import Agent

    _agent.append(Agent.load(str(MODEL)))


def _parse() -> None:
    asyncio.run(_agent[0].parse_message("¿Qué es Keras?"))


STEPS: list[tuple[str, Callable[[], None]]] = [
    ("Python (PyTorch kept out)", _python),
    ("TensorFlow", _tensorflow),
    ("Rasa's core", _rasa),
    ("our Rasa patches", _patches),
    ("spaCy pipeline, English (blank, lemma table)", _pipeline("en")),
    ("spaCy pipeline, Spanish (blank, lemma table)", _pipeline("es")),
    ("the trained model", _model),
    ("one message parsed", _parse),
]


def measure_steps() -> list[dict[str, float | str]]:
    """In this process: each step in turn and the resident memory after it."""
    process = psutil.Process()
    figures = []
    for name, step in STEPS:
        step()
        figures.append({"step": name, "rss_mb": process.memory_info().rss / MiB})
    return figures


def measure() -> list[dict[str, float | str]]:
    """The steps in a fresh process (nothing this one imported counts)."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "tools.quality.memory", "--step"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(figures: list[dict[str, float | str]], code: str) -> str:
    rows, before = [], 0.0
    for figure in figures:
        rss = float(figure["rss_mb"])
        rows.append([str(figure["step"]), f"{rss - before:+.0f} MB", f"{rss:.0f} MB"])
        before = rss
    return f"""# Where the Rasa server's memory goes (`python -m tools.quality.memory`)

{now()}; {machine_line()}; {code}. One fresh process does what a Rasa server of this bot does as it starts, step
by step, and reads its resident memory after each step.

{table(["step", "added", "resident memory"], rows)}

A running server adds a little more (Sanic, the channels, the tracker store): `make bench` reports its peak.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Resident memory after each thing the Rasa server loads.")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "memory.md")
    parser.add_argument("--step", action="store_true", help=argparse.SUPPRESS)  # the measuring process
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(measure_steps()))
        return 0
    if not MODEL.exists():
        raise SystemExit(f"No trained model at {MODEL.relative_to(ROOT)}: run `make train` first.")
    code = code_version()
    text = report(measure(), code)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
