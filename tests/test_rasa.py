"""Rasa's own checks on the trained model: data validation and the test stories, run as CI would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "framework-advisor.tar.gz"


def rasa(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.rasa_cli", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def test_training_data_is_valid():
    result = rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_stories_are_predicted_without_a_single_error(tmp_path):
    # --e2e makes Rasa parse each user text with the NLU model and compare intent and entities too.
    result = rasa(
        "test", "core", "--e2e",
        "--model", str(MODEL),
        "--stories", str(ROOT / "tests" / "stories"),
        "--fail-on-prediction-errors",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    assert (tmp_path / "failed_test_stories.yml").read_text().count("story:") == 0
