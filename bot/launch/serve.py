"""Run the action server and the Rasa server in the foreground; a server that dies is started again, and Ctrl-C
(SIGTERM, a closed terminal) stops both. Killing this launcher outright stops them too (bot.launch.processes).

Usage: python -m bot.launch.serve [--rasa-port 5005] [--actions-port 5055]

Rasa's HTTP management API (/conversations, /model, ...) is off unless RASA_API_TOKEN is set; then it is on
and every call needs that token (`?token=...`). bot.launch.rasa_cli reads the token from the environment, so it is
never on a command line or in a file.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bot.launch import processes, runtime_config
from knowledge import settings
from knowledge.paths import ROOT

MODEL = ROOT / "models" / "framework-advisor.tar.gz"
LOG_DIR = ROOT / "run" / "logs"
KNOWLEDGE_BASE = ROOT / "knowledge" / "build" / "kb.sqlite"
_logs_opened: set[Path] = set()


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT))
    env["SANIC_HOST"] = settings.value("ACTIONS_HOST")  # rasa_sdk's bind address
    return env


def actions_command(actions_port: int) -> list[str]:
    return [sys.executable, "-m", "actions", "--port", str(actions_port)]


def rasa_command(rasa_port: int, actions_port: int) -> list[str]:
    """`rasa run` with endpoints and channels written from the environment for this server."""
    endpoints_file, credentials_file = runtime_config.write(rasa_port, actions_port)
    api = ["--enable-api"] if settings.value(runtime_config.API_TOKEN_VARIABLE) else []
    return [
        sys.executable, "-m", "bot.launch.rasa_cli", "run",
        "--model", str(MODEL),
        "--interface", settings.value("RASA_HOST"),
        "--port", str(rasa_port),
        "--credentials", str(credentials_file),
        "--endpoints", str(endpoints_file),
        *api,
    ]  # fmt: skip


def commands(rasa_port: int, actions_port: int) -> dict[str, list[str]]:
    return {"actions": actions_command(actions_port), "rasa": rasa_command(rasa_port, actions_port)}


def launch(
    name: str,
    command: list[str],
    log: bool,
    env: dict[str, str] | None = None,
    log_dir: Path = LOG_DIR,
    death_signal: int = signal.SIGTERM,
) -> subprocess.Popen:
    """Start one server in its own session, stopped by `death_signal` if this process dies; with `log`, its
    output goes to <log_dir>/<name>.log (new for this launcher; a restart appends, keeping why it stopped)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / f"{name}.log"
    output = path.open("a" if path in _logs_opened else "w") if log else None
    _logs_opened.add(path)
    return processes.spawn(
        command,
        death_signal=death_signal,
        cwd=ROOT,
        env={**server_env(), **(env or {})},
        stdout=output,
        stderr=subprocess.STDOUT if log else None,
    )


def starters(
    rasa_port: int, actions_port: int, log: bool = False, log_dir: Path = LOG_DIR
) -> dict[str, Callable[[], subprocess.Popen]]:
    """How to start each server ("rasa", "actions"); each call starts a new process."""
    if not MODEL.exists():
        raise SystemExit(f"No trained model at {MODEL.relative_to(ROOT)}: run `make train` first.")
    return {
        name: functools.partial(launch, name, command, log, log_dir=log_dir)
        for name, command in commands(rasa_port, actions_port).items()
    }


def start(
    rasa_port: int = 5005, actions_port: int = 5055, log: bool = False, log_dir: Path = LOG_DIR
) -> dict[str, subprocess.Popen]:
    """Start both servers; with `log`, their output goes to <log_dir>/<name>.log."""
    return {name: begin() for name, begin in starters(rasa_port, actions_port, log, log_dir).items()}


def stop(running: dict[str, subprocess.Popen], timeout: float = 15.0) -> None:
    processes.stop(running.values(), timeout)


def refuse_taken_ports(rasa_port: int, actions_port: int) -> None:
    """One line per taken port and a non-zero exit, before anything is loaded."""
    taken = processes.taken_ports({"Rasa server": rasa_port, "action server": actions_port})
    if taken:
        raise SystemExit(
            "\n".join(taken) + " Stop it, or choose other ports (--rasa-port, --actions-port; make serve ARGS=...)."
        )


def ours(rasa_port: int, actions_port: int) -> str | None:
    """None when the servers on these ports are this checkout's, started after the current model and knowledge
    base were built; else why not, in one sentence."""
    for name, port, marker, newest in (
        ("Rasa server", rasa_port, "bot.launch.rasa_cli", MODEL),
        ("action server", actions_port, "actions", KNOWLEDGE_BASE),
    ):
        process = processes.holder(port)
        if process is None:
            return f"nothing this user can see answers for the {name} on port {port}"
        try:
            cwd, command, started = Path(process.cwd()), process.cmdline(), process.create_time()
        except processes.psutil.Error:
            return f"the {name} on port {port} is {processes.describe(process)}, which is not ours"
        if cwd != ROOT or marker not in command:
            return f"the {name} on port {port} is {processes.describe(process)}, started from {cwd}"
        if newest.exists() and newest.stat().st_mtime > started:
            return f"the {name} on port {port} (process {process.pid}) started before {newest.name} was rebuilt"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Rasa server and the action server together.")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    args = parser.parse_args(argv)
    refuse_taken_ports(args.rasa_port, args.actions_port)
    supervisor = processes.Supervisor()
    stopping = processes.StopSignals()
    try:
        for name, begin in starters(args.rasa_port, args.actions_port).items():
            supervisor.add(name, begin)
        print(
            f"Starting: Rasa on http://localhost:{args.rasa_port} (REST: /webhooks/rest/webhook), "
            f"actions on http://localhost:{args.actions_port} (/health). A server that stops is started again; "
            "Ctrl-C stops both.",
            flush=True,
        )
        while not stopping.requested:
            supervisor.check()
            stopping.wait(0.5)
        return 0
    finally:
        stopping.ignore_more()
        supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())
