"""Many conversations at once over REST, for a while: none loses or swaps a reply, memory stays flat, no error.

`make test` runs it short (SOAK_USERS=10, SOAK_SECONDS=30); `make soak` runs the full 50 users for 5 minutes.
Each simulated user waits 2.5-3.5 s before its next message, a human pace that stays under the default
per-sender rate limit (30 a minute), so the servers run exactly as configured for real users.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil
import pytest

from bot.launch.serve import ROOT
from tests.e2e.servers import ServerSet, server_set
from tools.quality.markdown import code_version, machine_line, now

RASA_PORT, ACTIONS_PORT = 19305, 19355
USERS = int(os.environ.get("SOAK_USERS", "10"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "30"))
THINK_SECONDS = (2.5, 3.5)
WARM_UP_SHARE = 0.25
# Resident memory may grow this much between the end of the warm-up and the end of the run: the SQLite
# tracker store's page cache and Python's allocator grow a little with every stored conversation; a leak
# that kept each turn's objects would grow far faster (tens of MB a minute at this pace).
MEMORY_GROWTH_LIMIT = 0.10
NAMES = {"keras": "Keras", "tensorflow": "TensorFlow", "pytorch": "PyTorch"}
SNIPPETS = ROOT / "knowledge" / "snippets"
# How a user asks for each task's code; a user's two code answers are this task's snippets in its two frameworks.
TASK_QUESTIONS = {
    "define_model": "show me how to define a model in {name}",
    "train": "show me a training loop in {name}",
    "evaluate": "how do I evaluate a model in {name}?",
    "save_load": "how do I save and load a model in {name}?",
    "gpu": "how do I use the gpu in {name}?",
    "cnn": "show me code for a small cnn in {name}",
    "custom_training_step": "show me a custom training step in {name}",
    "data_loading": "how do I load data in {name}?",
    "export": "how do I export a model in {name}?",
    "tensorboard_logging": "how do I log to tensorboard in {name}?",
    "distributed": "show me distributed training code in {name}",
}


def script(user: int) -> list[tuple[str, list[str]]]:
    """One round of a user's conversation: (message, texts its reply must contain). Users 0-10 each get a task of
    their own, so their two code answers (the second a follow-up that only this conversation's context explains)
    are snippets no other user receives: a reply delivered to the wrong conversation fails its check. Beyond 11
    users, tasks repeat with other framework pairs and only the conversation as a whole stays unique."""
    tasks, frameworks = list(TASK_QUESTIONS), list(NAMES)
    task = tasks[user % len(tasks)]
    first, second = frameworks[(user // len(tasks)) % 3], frameworks[(user // len(tasks) + 1) % 3]
    name, other_name = NAMES[first], NAMES[second]
    return [
        (f"what is {name}?", [name]),
        (f"compare {name} and {other_name}", [name, other_name]),
        ("and for deployment?", [name, other_name, "deploy"]),
        (TASK_QUESTIONS[task].format(name=name), [code(first, task)]),
        (f"and in {other_name}?", [code(second, task)]),
        ("thanks!", []),
    ]


def code(framework: str, task: str) -> str:
    return (SNIPPETS / framework / f"{task}.py").read_text(encoding="utf-8").strip()


@dataclass
class Outcome:
    turns: int = 0
    problems: list[str] = field(default_factory=list)


async def converse(session: aiohttp.ClientSession, url: str, user: int, deadline: float, outcome: Outcome) -> None:
    sender = f"soak-{user}-{uuid.uuid4().hex[:8]}"
    rounds = script(user)
    while time.monotonic() < deadline:
        for message, expected in rounds:
            try:
                async with session.post(url, json={"sender": sender, "message": message}) as response:
                    replies = await response.json() if response.status == 200 else None
            except (TimeoutError, aiohttp.ClientError) as error:
                outcome.problems.append(f"{sender}: {message!r} -> {error!r}")
                return
            text = "\n".join(reply.get("text") or "" for reply in replies or [])
            outcome.turns += 1
            if not text:
                outcome.problems.append(f"{sender}: {message!r} -> status {response.status}, no reply")
            missing = [part[:60] for part in expected if part.lower() not in text.lower()]
            if missing:
                outcome.problems.append(f"{sender}: {message!r} -> reply lacks {missing}: {text[:120]!r}")
            await asyncio.sleep(random.uniform(*THINK_SECONDS))


def resident_mb(processes: dict) -> float:
    """Resident memory of both servers with their children, in MB."""
    total = 0
    for process in processes.values():
        root = psutil.Process(process.pid)
        for member in [root, *root.children(recursive=True)]:
            try:
                total += member.memory_info().rss
            except psutil.NoSuchProcess:
                pass
    return total / 2**20


async def soak(servers: ServerSet) -> tuple[Outcome, list[tuple[float, float]]]:
    outcome, samples = Outcome(), []
    started = time.monotonic()
    deadline = started + SECONDS
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        url = f"{servers.url}/webhooks/rest/webhook"
        users = [asyncio.create_task(converse(session, url, user, deadline, outcome)) for user in range(USERS)]
        while not all(task.done() for task in users):
            samples.append((time.monotonic() - started, resident_mb(servers.processes)))
            await asyncio.sleep(2)
        await asyncio.gather(*users)
    return outcome, samples


@pytest.fixture(scope="module")
def measured_code() -> str:
    return code_version()  # read before the servers start: what they run


@pytest.fixture(scope="module")
def servers(tmp_path_factory, measured_code) -> Iterator[ServerSet]:
    with server_set(RASA_PORT, ACTIONS_PORT, tmp_path_factory.mktemp("soak-logs")) as running:
        yield running


@pytest.fixture(scope="module")
def result(servers, measured_code):
    outcome, samples = asyncio.run(soak(servers))
    if os.environ.get("SOAK_REPORT"):  # `make soak` keeps its figures, with the commit they measured
        write_report(Path(os.environ["SOAK_REPORT"]), outcome, samples, measured_code)
    return outcome, samples


def write_report(path: Path, outcome: Outcome, samples: list[tuple[float, float]], measured: str) -> None:
    after_warm_up = [mb for at, mb in samples if at >= SECONDS * WARM_UP_SHARE] or [0.0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"""# Soak (`make soak`)

{now()}; {machine_line()}; {measured}. {USERS} users over REST for {SECONDS:g} s, each holding its own script
(`tests/e2e/test_soak.py`) at a human pace ({THINK_SECONDS[0]:g}-{THINK_SECONDS[1]:g} s between messages), servers
started as `make serve` starts them.

| figure | value |
| --- | --- |
| turns answered | {outcome.turns} |
| replies missing, wrong or from another conversation | {len(outcome.problems)} |
| servers' resident memory after the warm-up, MB | {after_warm_up[0]:.0f} |
| servers' resident memory at the end (max of the last 3 samples), MB | {max(after_warm_up[-3:]):.0f} |

The pass/fail verdicts are the tests' (every reply arrives and is its own conversation's; memory grows at most
{MEMORY_GROWTH_LIMIT:.0%} after the warm-up; no error in the servers' logs): see the `make soak` output.
""",
        encoding="utf-8",
    )


def test_every_reply_arrives_and_belongs_to_its_own_conversation(result):
    outcome, _ = result
    expected_turns = USERS * SECONDS / (sum(THINK_SECONDS) / 2 + 0.5) * 0.5  # at least half a human pace
    assert outcome.turns >= expected_turns, f"only {outcome.turns} turns in {SECONDS:g} s for {USERS} users"
    assert not outcome.problems, f"{len(outcome.problems)} problems, e.g.:\n" + "\n".join(outcome.problems[:10])


def test_memory_is_flat_after_the_warm_up(result):
    _, samples = result
    after_warm_up = [mb for at, mb in samples if at >= SECONDS * WARM_UP_SHARE]
    assert len(after_warm_up) >= 4, samples
    baseline, final = after_warm_up[0], max(after_warm_up[-3:])
    assert final <= baseline * (1 + MEMORY_GROWTH_LIMIT), f"{baseline:.0f} MB -> {final:.0f} MB: {samples}"


def test_no_error_in_the_server_logs(servers, result):
    problems = [line for line in servers.logs().splitlines() if " ERROR " in line or line.startswith("Traceback")]
    assert not problems, "\n".join(problems[:20])
