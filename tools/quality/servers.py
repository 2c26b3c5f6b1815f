"""The servers `make bench` measures: started as `make serve` starts them, timed to their first answer, weighed.

Our bot runs as `python -m bot.launch.serve` (what `make serve` runs: action server + Rasa server); the baseline is
an untouched `rasa init` bot under `rasa run` (its own model, REST channel, no action server).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

from bot.launch import serve
from bot.terminal.chat import is_ready

# Shared libraries that show a process has imported PyTorch or TensorFlow.
HEAVY_LIBRARIES = {"torch": "libtorch", "tensorflow": "libtensorflow"}


@dataclass
class Bot:
    name: str
    url: str
    process: object  # subprocess.Popen
    started: float
    first_answer_seconds: float | None = None
    parts: dict[str, psutil.Process] = field(default_factory=dict)

    def stop(self) -> None:
        serve.stop({self.name: self.process})


@contextmanager
def environment(settings: dict[str, str]) -> Iterator[None]:
    """These variables set while the block runs (the servers' launcher reads them), put back as they were."""
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# The rate limiter still runs on every message (its cost is measured) but lets one sender hold the long
# conversation at full speed (the default, 30 a minute, is a human's pace).
BENCH_RATE_LIMIT = "100000/minute"


def start_ours(rasa_port: int, actions_port: int, tracker_db: Path) -> Bot:
    """`make serve`'s command on other ports, with its own SQLite tracker store and BENCH_RATE_LIMIT."""
    command = [
        sys.executable,
        "-m",
        "bot.launch.serve",
        "--rasa-port",
        str(rasa_port),
        "--actions-port",
        str(actions_port),
    ]
    env = {"TRACKER_STORE_URL": f"sqlite:///{tracker_db}", "RATE_LIMIT": BENCH_RATE_LIMIT}
    started = time.monotonic()
    process = serve.launch(f"bench-ours-{rasa_port}", command, log=True, env=env)
    return Bot("ours", f"http://localhost:{rasa_port}", process, started)


def start_baseline(project: Path, model: Path, port: int) -> Bot:
    command = [sys.executable, "-m", "bot.launch.rasa_cli", "run", "--model", str(model), "--port", str(port)]
    command += ["--credentials", str(project / "credentials.yml"), "--endpoints", str(project / "endpoints.yml")]
    started = time.monotonic()
    process = serve.launch(f"bench-baseline-{port}", command, log=True)
    return Bot("baseline", f"http://localhost:{port}", process, started)


def answer(url: str, sender: str, message: str, timeout: float = 60) -> list[dict]:
    response = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
    )
    response.raise_for_status()
    return response.json()


def wait_until_ready(rasa_url: str, actions_url: str, running: dict, logs: Path, limit: float = 300) -> None:
    """Until both servers answer their health checks; an error naming the logs when one stops or `limit` passes."""
    deadline = time.monotonic() + limit
    while not is_ready(rasa_url, actions_url):
        stopped = [name for name, process in running.items() if process.poll() is not None]
        if stopped or time.monotonic() > deadline:
            which = f"the {' and '.join(stopped)} server" if stopped else "the servers"
            raise RuntimeError(f"{which} did not start; see {logs}")
        time.sleep(1)


def wait_for_first_answer(bot: Bot, limit: float = 300) -> float:
    """Seconds from launching the process until a REST message gets a non-empty reply. Each attempt is a new
    conversation: an attempt that timed out while the model was loading may still have left its "hi" in its
    conversation, and a second "hi" there can get no reply at all (the `rasa init` bot's stories)."""
    attempt = 0
    while time.monotonic() - bot.started < limit:
        if bot.process.poll() is not None:
            raise RuntimeError(f"the {bot.name} server stopped while starting; see {serve.LOG_DIR}")
        try:
            attempt += 1
            if answer(bot.url, f"bench-first-answer-{attempt}", "hi", timeout=10):
                bot.first_answer_seconds = time.monotonic() - bot.started
                bot.parts = find_parts(bot)
                return bot.first_answer_seconds
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the {bot.name} server gave no answer within {limit:.0f} s; see {serve.LOG_DIR}")


def find_parts(bot: Bot) -> dict[str, psutil.Process]:
    """The Rasa server and (ours) the action server among the launched process and its children."""
    root = psutil.Process(bot.process.pid)
    parts = {}
    for process in [root, *root.children(recursive=True)]:
        command = " ".join(process.cmdline())
        if "bot.launch.rasa_cli run" in command:
            parts["rasa"] = process
        elif "-m actions" in command:
            parts["actions"] = process
    return parts


def tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def rss_bytes(process: psutil.Process) -> int:
    """Resident memory of a process and all its children."""
    total = 0
    for member in tree(process):
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        for member in tree(process):
            try:
                times = member.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
    return total


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy so far (to tell what other processes used during a run)."""
    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))


def heavy_libraries(process: psutil.Process) -> list[str]:
    """Which of PyTorch and TensorFlow the process has loaded (read from its memory map)."""
    try:
        paths = {mapping.path for member in tree(process) for mapping in member.memory_maps()}
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return ["unknown"]
    return sorted(name for name, library in HEAVY_LIBRARIES.items() if any(library in path for path in paths))
