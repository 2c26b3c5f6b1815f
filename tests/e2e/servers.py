"""Start the real Rasa and action servers for an end-to-end test module, and stop them afterwards."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.launch import processes, serve
from bot.terminal.chat import is_ready

STARTUP_LIMIT_SECONDS = 240


@dataclass
class ServerSet:
    """Both servers of one test module; single servers can be stopped and started again (fault tests)."""

    rasa_port: int
    actions_port: int
    log_dir: Path = serve.LOG_DIR
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://localhost:{self.actions_port}"

    def start(self) -> None:
        taken = processes.taken_ports({"Rasa server": self.rasa_port, "action server": self.actions_port})
        assert not taken, " ".join(taken)  # a stale server would answer in place of the one under test
        self.processes = serve.start(self.rasa_port, self.actions_port, log=True, log_dir=self.log_dir)
        self.wait_until_ready()

    def ours(self) -> bool:
        """Whether both ports are held by the servers this set started (not a leftover on the same port)."""
        started = [process.pid for process in self.processes.values()]
        return all(
            processes.belongs_to(processes.holder(port), started) for port in (self.rasa_port, self.actions_port)
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
        while not (is_ready(self.url, self.actions_url) and self.ours()):
            assert all(p.poll() is None for p in self.processes.values()), f"a server died; see {self.log_dir}"
            assert time.monotonic() < deadline, f"servers did not start in {STARTUP_LIMIT_SECONDS} s"
            time.sleep(1)

    def stop_one(self, name: str) -> None:
        serve.stop({name: self.processes[name]})

    def start_one(self, name: str, wait: bool = True) -> None:
        """Start `name` ("rasa" or "actions") again with its usual command; its earlier log is kept aside."""
        log = self.log_dir / f"{name}.log"
        if log.exists():  # kept aside, so that `logs()` can tell this run's lines from the earlier one's
            log.rename(self.log_dir / f"{name}.{time.time_ns()}.log")
        command = serve.commands(self.rasa_port, self.actions_port)[name]
        self.processes[name] = serve.launch(name, command, log=True, log_dir=self.log_dir)
        if wait:
            self.wait_until_ready()

    def logs(self) -> str:
        """Every log these servers wrote so far, the earlier runs included."""
        return "\n".join(
            path.read_text(encoding="utf-8", errors="replace") for path in sorted(self.log_dir.glob("*.log"))
        )

    def stop(self) -> None:
        serve.stop(self.processes)


@contextmanager
def server_set(rasa_port: int, actions_port: int, log_dir: Path | None = None) -> Iterator[ServerSet]:
    """Yields the running servers once both answer; their logs go to `log_dir` (default run/logs)."""
    servers = ServerSet(rasa_port, actions_port, log_dir or serve.LOG_DIR)
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


@contextmanager
def running_servers(rasa_port: int, actions_port: int, log_dir: Path | None = None) -> Iterator[str]:
    """Yields the Rasa server's URL once both servers answer."""
    with server_set(rasa_port, actions_port, log_dir) as servers:
        yield servers.url


def ask(url: str, sender: str, text: str, timeout: float = 60, **extra: object) -> requests.Response:
    """One REST message, as a user's client would send it."""
    return requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text, **extra}, timeout=timeout
    )


def wait_until_slack_idle(url: str, limit: float = 60) -> None:
    """Until the Slack channel says it has finished every event it accepted, so that no further post can come."""
    deadline = time.monotonic() + limit
    while requests.get(f"{url}/webhooks/slack/", timeout=5).json()["answering"]:
        assert time.monotonic() < deadline, f"the Slack channel was still answering after {limit} s"
        time.sleep(0.1)
