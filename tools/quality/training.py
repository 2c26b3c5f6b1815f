"""`rasa train` as a subprocess with its own empty cache, so that it really trains and can be timed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from knowledge.paths import ROOT


def quiet_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT), **extra)
    return env


@dataclass
class Training:
    name: str
    model: Path
    log: Path
    process: subprocess.Popen
    started: float
    seconds: float | None = None

    def wait(self) -> float:
        """Seconds the training took; raises with the log's tail when it failed."""
        code = self.process.wait()
        if self.seconds is None:
            self.seconds = time.monotonic() - self.started
        if code != 0 or not self.model.exists():
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"training {self.name} failed (exit {code}); end of {self.log}:\n{tail}")
        return self.seconds


def start_training(
    name: str, config: Path, domain: Path, data: list[Path], work: Path, cwd: Path = ROOT, nlu_only: bool = False
) -> Training:
    """Start `rasa train` for one configuration; the model lands in work/models/<name>.tar.gz."""
    cache = work / f"cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    models = work / "models"
    models.mkdir(parents=True, exist_ok=True)
    model = models / f"{name}.tar.gz"
    model.unlink(missing_ok=True)
    log = work / f"train-{name}.log"
    command = [sys.executable, "-m", "bot.launch.rasa_cli", "train", *(["nlu"] if nlu_only else [])]
    command += ["--config", str(config), "--domain", str(domain), "--out", str(models), "--fixed-model-name", name]
    command += ["--data", *map(str, data)]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=quiet_env(RASA_CACHE_DIRECTORY=str(cache)),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    return Training(name, model, log, process, time.monotonic())
