"""Score one trained model: held-out NLU examples per language and the end-to-end test stories.

Usage: python -m tools.quality.score --model M.tar.gz --nlu-dir tests/nlu --stories tests/stories/test_stories.yml
       --out scores.json

Loads the model once and writes plain data (every prediction and the story results); `tools.quality.evaluate`
turns two of these files into the side-by-side report. Run as its own process: it imports Rasa.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import LANGUAGES
from tools.quality.heldout import load_examples

# Story names end with their language, "(en)" or "(es)"; other stories mix both.
_STORY_LANGUAGE = re.compile(r"\((en|es)\)\s*$")


def story_language(name: str) -> str:
    match = _STORY_LANGUAGE.search(name)
    return match.group(1) if match else "mixed"


async def predict_nlu(agent: Any, nlu_file: Path) -> list[dict[str, Any]]:
    """Every held-out example with the gold and the predicted intent and entity spans."""
    predictions = []
    for example in load_examples(nlu_file):
        parsed = await agent.parse_message(example.text)
        predictions.append(
            {
                "text": example.text,
                "intent": example.intent,
                "predicted": (parsed.get("intent") or {}).get("name"),
                "confidence": (parsed.get("intent") or {}).get("confidence"),
                "entities": [[entity.entity, entity.start, entity.end] for entity in example.entities],
                "predicted_entities": [
                    [entity["entity"], entity["start"], entity["end"]] for entity in parsed.get("entities", [])
                ],
            }
        )
    return predictions


async def run_stories(agent: Any, stories: Path) -> dict[str, Any]:
    """Rasa's own end-to-end story test (user texts parsed by the NLU); which stories passed, by language."""
    from rasa.core.test import test as test_stories

    with tempfile.TemporaryDirectory(prefix="stories-") as out:
        result = await test_stories(
            str(stories), agent, out_directory=out, e2e=True, disable_plotting=True, warnings=False
        )
        failed_file = Path(out) / "failed_test_stories.yml"
        failed_doc = yaml.safe_load(failed_file.read_text(encoding="utf-8")) if failed_file.exists() else None
    # Rasa writes a failed story's name followed by " (<its file>)".
    failed = [story["story"] for story in (failed_doc or {}).get("stories", [])]
    names = [story["story"] for story in yaml.safe_load(stories.read_text(encoding="utf-8"))["stories"]]
    outcome = [
        {"name": name, "language": story_language(name), "passed": not any(_same_story(name, f) for f in failed)}
        for name in names
    ]
    correct = (result.get("report") or {}).get("conversation_accuracy", {}).get("correct")
    if correct is not None and correct != sum(story["passed"] for story in outcome):
        raise RuntimeError(f"{correct} stories passed by Rasa's count, but the failed ones do not match {names}")
    return {"action_accuracy": result.get("accuracy"), "stories": outcome}


def _same_story(name: str, failed_name: str) -> bool:
    return failed_name == name or failed_name.startswith(f"{name} (")


async def score(model: Path, nlu_dir: Path, stories: Path) -> dict[str, Any]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    nlu = {language: await predict_nlu(agent, nlu_dir / f"{language}.yml") for language in LANGUAGES}
    return {"model": str(model), "nlu": nlu, "stories": await run_stories(agent, stories)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score one trained Rasa model on held-out NLU data and test stories.")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--nlu-dir", type=Path, required=True, help="folder with en.yml and es.yml")
    parser.add_argument("--stories", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # Rasa's structured log would print every parse at debug level
    logging.basicConfig(level=logging.WARNING)
    scores = asyncio.run(score(args.model, args.nlu_dir, args.stories))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(scores, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
