"""Run the action server and the Rasa server in the foreground; Ctrl-C (or either one dying) stops both.

Usage: python -m bot.serve [--rasa-port 5005] [--actions-port 5055]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "framework-advisor.tar.gz"
LOG_DIR = ROOT / "run" / "logs"


def server_env(actions_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT))
    env.setdefault("ACTION_SERVER_URL", f"http://localhost:{actions_port}/webhook")
    return env


def commands(rasa_port: int, actions_port: int) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "actions": [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
        "rasa": [
            python, "-m", "bot.rasa_cli", "run",
            "--model", str(MODEL),
            "--port", str(rasa_port),
            "--credentials", str(ROOT / "credentials.yml"),
            "--endpoints", str(ROOT / "endpoints.yml"),
        ],
    }  # fmt: skip


def start(rasa_port: int = 5005, actions_port: int = 5055, log: bool = False) -> dict[str, subprocess.Popen]:
    """Start both servers in their own process groups; with `log`, their output goes to run/logs/<name>.log."""
    if not MODEL.exists():
        raise SystemExit(f"No trained model at {MODEL.relative_to(ROOT)}: run `make train` first.")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    processes = {}
    for name, cmd in commands(rasa_port, actions_port).items():
        output = (LOG_DIR / f"{name}.log").open("w") if log else None
        processes[name] = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=server_env(actions_port),
            stdout=output,
            stderr=subprocess.STDOUT if log else None,
            start_new_session=True,
        )
    return processes


def stop(processes: dict[str, subprocess.Popen], timeout: float = 15.0) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Rasa server and the action server together.")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    args = parser.parse_args(argv)
    processes = start(args.rasa_port, args.actions_port)
    print(
        f"Starting: Rasa on http://localhost:{args.rasa_port} (REST: /webhooks/rest/webhook), "
        f"actions on http://localhost:{args.actions_port} (/health). Ctrl-C stops both.",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        dead = [name for name, process in processes.items() if process.poll() is not None]
        print(f"The {' and '.join(dead)} server stopped; stopping the other.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
