"""What a message costs at turn 400 against turn 1: one long conversation through the real servers (issue 18).

Usage: python -m tools.quality.long_conversation [--turns 400] [--block 50] [--ports 18405 18455]
       [--work reports/work/long_conversation] [--json FILE]

Starts our servers as `make serve` does (on their own SQLite tracker store, rate limit off), warms them up
with one round of QUESTIONS in a conversation of its own, then sends --turns messages in ONE new conversation
over REST, one at a time, the five QUESTIONS in turn, timing each reply at the client. Prints the median and
maximum latency per block of --block turns, the Rasa server's resident memory at the end, the CPU other
processes used meanwhile (on a busy machine the figures suffer), and how many rounds of the five questions got
replies other than the second round's (the first has no earlier topic): a long conversation must be answered
as a short one is.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import requests

from bot.launch import processes, serve
from tools.quality.markdown import code_version, machine_line, now, table
from tools.quality.servers import busy_cpu_seconds, cpu_seconds, environment, rss_bytes, wait_until_ready
from tools.quality.training import ROOT

# A comparison, its follow-up, a definition, a code follow-up, thanks: each round leans on the one before.
QUESTIONS = (
    "PyTorch vs TensorFlow for deployment?",
    "and for speed?",
    "what is Keras?",
    "show me an example",
    "thanks",
)
MiB = 2**20


def blocks(latencies_ms: list[float], size: int) -> list[dict[str, Any]]:
    """Median and maximum of each run of `size` turns (the last block may be shorter), numbered from 1."""
    return [
        {
            "first": start + 1,
            "last": start + len(chunk),
            "median_ms": statistics.median(chunk),
            "max_ms": max(chunk),
        }
        for start in range(0, len(latencies_ms), size)
        for chunk in [latencies_ms[start : start + size]]
    ]


def rounds_unlike_the_second(replies: list[str], questions: int = len(QUESTIONS)) -> list[int]:
    """Numbers (from 1) of the complete rounds whose replies differ from round 2's, the first with context."""
    rounds = [replies[start : start + questions] for start in range(0, len(replies) - questions + 1, questions)]
    if len(rounds) < 2:
        return []
    return [number for number, replies_ in enumerate(rounds, start=1) if number > 2 and replies_ != rounds[1]]


def block_rows(figures: list[dict[str, Any]]) -> list[list[str]]:
    return [[f"{b['first']}-{b['last']}", f"{b['median_ms']:.0f} ms", f"{b['max_ms']:.0f} ms"] for b in figures]


def send(url: str, sender: str, message: str) -> tuple[float, str]:
    """Milliseconds until the reply, and the reply's text."""
    started = time.perf_counter()
    response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)
    elapsed_ms = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed_ms, "\n\n".join(part.get("text") or "" for part in response.json())


def start_servers(rasa_port: int, actions_port: int, work: Path) -> dict[str, Any]:
    """Our servers as `make serve` starts them, on a fresh tracker store in `work`, without a rate limit."""
    tracker_db = work / "trackers.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tracker_db}{suffix}").unlink(missing_ok=True)
    settings = {"TRACKER_STORE_URL": f"sqlite:///{tracker_db}", "RATE_LIMIT": "off"}
    with environment(settings):
        return serve.start(rasa_port, actions_port, log=True, log_dir=work / "logs")


def ours_cpu_seconds(servers: list[psutil.Process]) -> float:
    """CPU time of the servers (with their children) and of this client itself."""
    client = psutil.Process().cpu_times()
    return cpu_seconds(servers) + client.user + client.system


def converse(url: str, turns: int) -> dict[str, Any]:
    """One round of warm-up in a conversation of its own, then `turns` messages in one fresh conversation."""
    for message in QUESTIONS:
        send(url, f"long-warm-up-{secrets.token_hex(4)}", message)
    sender = f"long-{secrets.token_hex(6)}"
    latencies, replies = [], []
    for turn in range(turns):
        elapsed_ms, reply = send(url, sender, QUESTIONS[turn % len(QUESTIONS)])
        latencies.append(elapsed_ms)
        replies.append(reply)
    return {"sender": sender, "latencies_ms": latencies, "replies": replies}


def run(turns: int, rasa_port: int, actions_port: int, work: Path) -> dict[str, Any]:
    taken = processes.taken_ports({"Rasa server": rasa_port, "action server": actions_port})
    if taken:  # another server would answer in place of ours
        raise SystemExit("\n".join(taken) + " Stop it, or choose other ports (--ports RASA ACTIONS).")
    work.mkdir(parents=True, exist_ok=True)
    code = code_version()  # what the servers run
    running = start_servers(rasa_port, actions_port, work)
    try:
        url = f"http://localhost:{rasa_port}"
        wait_until_ready(url, f"http://localhost:{actions_port}", running, work / "logs")
        servers = [psutil.Process(process.pid) for process in running.values()]
        ours_before, busy_before, started = ours_cpu_seconds(servers), busy_cpu_seconds(), time.monotonic()
        conversation = converse(url, turns)
        elapsed = time.monotonic() - started
        other_cores = (busy_cpu_seconds() - busy_before - (ours_cpu_seconds(servers) - ours_before)) / elapsed
        rasa_rss = rss_bytes(psutil.Process(running["rasa"].pid)) / MiB
    finally:
        serve.stop(running)
    return {
        "when": now(),
        "machine": machine_line(),
        "code": code,
        "rasa_rss_mb": rasa_rss,
        "other_cores": max(0.0, other_cores),
        **conversation,
    }


def summary(results: dict[str, Any], block: int) -> str:
    figures = blocks(results["latencies_ms"], block)
    unlike = rounds_unlike_the_second(results["replies"])
    return "\n".join(
        [
            f"{results['when']}; {results['machine']}; {results['code']}; {len(results['latencies_ms'])} turns",
            "",
            table(["turns", "median", "max"], block_rows(figures)),
            "",
            f"Rasa server RSS at the end: {results['rasa_rss_mb']:.0f} MB",
            f"CPU used meanwhile by other processes: {results['other_cores']:.2f} cores (high: the figures suffer)",
            f"Rounds answered unlike round 2: {len(unlike)}" + (f" ({unlike[:10]})" if unlike else ""),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Latency by turn number in one long conversation.")
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--block", type=int, default=50, help="turns per row of the table")
    parser.add_argument("--ports", type=int, nargs=2, default=[18405, 18455], metavar=("RASA", "ACTIONS"))
    parser.add_argument("--work", type=Path, default=ROOT / "reports" / "work" / "long_conversation")
    parser.add_argument("--json", type=Path, help="also write every latency and reply here")
    args = parser.parse_args(argv)
    if not serve.MODEL.exists():
        raise SystemExit(f"No trained model at {serve.MODEL.relative_to(ROOT)}: run `make train` first.")
    results = run(args.turns, *args.ports, args.work)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(summary(results, args.block))
    return 0


if __name__ == "__main__":
    sys.exit(main())
