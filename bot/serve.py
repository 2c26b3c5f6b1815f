"""Run the action server and the Rasa server in the foreground; Ctrl-C (or either one dying) stops both.

Usage: python -m bot.serve [--rasa-port 5005] [--actions-port 5055]

Rasa's HTTP management API (/conversations, /model, ...) is off unless RASA_API_TOKEN is set; then it is on
and every call needs that token (`?token=...`). bot.rasa_cli reads the token from the environment, so it is
never on a command line or in a file.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot import runtime_config

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "framework-advisor.tar.gz"
LOG_DIR = ROOT / "run" / "logs"


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT))
    return env


def actions_command(actions_port: int) -> list[str]:
    return [sys.executable, "-m", "actions", "--port", str(actions_port)]


def rasa_command(rasa_port: int, actions_port: int) -> list[str]:
    """`rasa run` with endpoints and channels written from the environment for this server."""
    endpoints_file, credentials_file = runtime_config.write(rasa_port, actions_port)
    api = ["--enable-api"] if os.environ.get(runtime_config.API_TOKEN_VARIABLE) else []
    return [
        sys.executable, "-m", "bot.rasa_cli", "run",
        "--model", str(MODEL),
        "--port", str(rasa_port),
        "--credentials", str(credentials_file),
        "--endpoints", str(endpoints_file),
        *api,
    ]  # fmt: skip


def commands(rasa_port: int, actions_port: int) -> dict[str, list[str]]:
    return {"actions": actions_command(actions_port), "rasa": rasa_command(rasa_port, actions_port)}


def launch(
    name: str, command: list[str], log: bool, env: dict[str, str] | None = None, log_dir: Path = LOG_DIR
) -> subprocess.Popen:
    """Start one server in its own process group; with `log`, its output goes to <log_dir>/<name>.log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    output = (log_dir / f"{name}.log").open("w") if log else None
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**server_env(), **(env or {})},
        stdout=output,
        stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )


def start(
    rasa_port: int = 5005, actions_port: int = 5055, log: bool = False, log_dir: Path = LOG_DIR
) -> dict[str, subprocess.Popen]:
    """Start both servers; with `log`, their output goes to <log_dir>/<name>.log."""
    if not MODEL.exists():
        raise SystemExit(f"No trained model at {MODEL.relative_to(ROOT)}: run `make train` first.")
    return {
        name: launch(name, command, log, log_dir=log_dir) for name, command in commands(rasa_port, actions_port).items()
    }


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
