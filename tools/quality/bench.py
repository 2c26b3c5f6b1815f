"""`make bench`: our real servers and a `rasa init` bot under the same simulated users, side by side.

Usage: python -m tools.quality.bench [--users 1 10 50] [--duration 60] [--turns 400] [--out reports]
       [--work reports/work/bench] [--ports 18005 18055 18105] [--no-train-ours] [--tiny]

1. Trains the `rasa init` bot (a fresh copy of the project `rasa init` creates) and, unless --no-train-ours,
   our configuration from scratch, each alone and timed.
2. Starts our servers as `make serve` does (the trained models/framework-advisor.tar.gz) and the baseline,
   one after the other, timing each from launch to its first non-empty REST answer; warms both up.
3. One long conversation with our servers (tools/quality/long_conversation.py): --turns messages, one at a time,
   timed per message, so the report shows what a message costs at turn 400 against turn 1 (issue 18).
4. For each number of users, runs Locust (tools/quality/locustfile.py) against ours, then the baseline:
   closed-loop users holding the conversations of conversations.yml. Samples each server's resident memory.
5. Writes <out>/bench.md, <out>/bench_latency.png and <out>/bench.json; prints the table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import yaml

from bot.launch import serve
from tools.quality import baseline, long_conversation, servers
from tools.quality.markdown import code_version, machine_line, now, number, table, verdict
from tools.quality.outcomes import OUTCOMES
from tools.quality.training import ROOT, quiet_env, start_training

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CONVERSATIONS = Path(__file__).with_name("conversations.yml")
MiB = 2**20
# With 10 the rasa init bot sometimes predicted no reply to "hi" in CI (training is not seeded), so it never gave a
# first answer; fewer never understood it. 40 costs seconds on its few examples.
TINY_EPOCHS = 40
TARGETS = {"p50_1_user_ms": 40, "p95_10_users_ms": 300, "rasa_rss_mb": 1200, "actions_rss_mb": 300}
TARGETS |= {"first_answer_s": 30, "training_s": 300}
# Issue 18: the last 50 turns of a long conversation against the first 50, one message at one user, the tail at
# 10 users against their median, the Rasa server's memory.
LONG_TARGETS = {"late_over_early": 1.3, "max_one_user_ms": 150, "p99_over_p50_10_users": 2.5, "rasa_rss_mb": 800}


class MemorySampler(threading.Thread):
    """Peak resident memory of each server part while the load runs."""

    def __init__(self, parts: dict[str, psutil.Process], interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.parts, self.interval = parts, interval
        self.peak = {name: servers.rss_bytes(process) for name, process in parts.items()}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            for name, process in self.parts.items():
                self.peak[name] = max(self.peak[name], servers.rss_bytes(process))

    def stop(self) -> dict[str, int]:
        self._done.set()
        self.join()
        return self.peak


def train_bots(work: Path, train_ours: bool, epochs: int | None) -> tuple[Path, Path, dict[str, float | None]]:
    """The `rasa init` project and model, and how long each training took alone."""
    project = baseline.create_init_bot(work / "rasa-init", epochs)
    print("Training the rasa init bot...", flush=True)
    init = start_training(
        "rasa-init", project / "config.yml", project / "domain.yml", [project / "data"], work, cwd=project
    )
    seconds: dict[str, float | None] = {"baseline": init.wait(), "ours": None}
    if train_ours:
        print("Training our configuration from scratch (timed; `make serve` uses models/)...", flush=True)
        config = baseline.write_config(ROOT / "config.yml", work / "config-ours.yml", epochs)
        seconds["ours"] = start_training("ours", config, ROOT / "domain.yml", [ROOT / "data"], work).wait()
    return project, init.model, seconds


# Which conversations of conversations.yml each bot gets.
CONVERSATION_SETS = {"ours": "conversations", "baseline": "rasa_init_conversations"}


def warm_up(bot: servers.Bot) -> None:
    """Every conversation once, so that first-call costs (graph tracing, caches) are not measured."""
    conversations = yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))[CONVERSATION_SETS[bot.name]]
    for index, conversation in enumerate(conversations):
        for message in conversation["messages"]:
            servers.answer(bot.url, f"bench-warm-up-{index}", message)


def run_load(bot: servers.Bot, users: int, duration: float, work: Path, think_time: float) -> dict[str, Any]:
    """One Locust run; its aggregated figures, the servers' peak memory and the CPU other processes used."""
    prefix = work / f"locust-{bot.name}-{users}"
    locust = Path(sys.executable).with_name("locust")
    command = [str(locust), "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(users)]
    command += ["-t", f"{duration:g}s", "--host", bot.url, "--csv", str(prefix), "--only-summary"]
    command += ["--loglevel", "WARNING", "--stop-timeout", "10"]
    sampler = MemorySampler(bot.parts)
    ours_before = servers.cpu_seconds(list(bot.parts.values()))
    busy_before, children_before, started = servers.busy_cpu_seconds(), os.times(), time.monotonic()
    sampler.start()
    log = (work / f"locust-{bot.name}-{users}.log").open("w")
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=quiet_env(BENCH_THINK_TIME=str(think_time), BENCH_CONVERSATIONS=CONVERSATION_SETS[bot.name]),
        stdout=log,
        stderr=log,
    )
    peak = sampler.stop()
    elapsed = time.monotonic() - started
    children_after = os.times()
    locust_cpu = (children_after.children_user + children_after.children_system) - (
        children_before.children_user + children_before.children_system
    )
    server_cpu = servers.cpu_seconds(list(bot.parts.values())) - ours_before
    other_cpu = max(0.0, servers.busy_cpu_seconds() - busy_before - server_cpu - locust_cpu)
    stats = _aggregated(prefix.with_name(prefix.name + "_stats.csv"))
    if stats is None:
        raise RuntimeError(f"Locust wrote no statistics (exit {result.returncode}); see {log.name}")
    stats.update(_failures_by_outcome(prefix.with_name(prefix.name + "_failures.csv"), stats["errors"]))
    return {
        **stats,
        "users": users,
        "peak_rss_mb": {name: value / MiB for name, value in peak.items()},
        "server_cores": server_cpu / elapsed,
        "locust_cores": locust_cpu / elapsed,
        "other_cores": other_cpu / elapsed,
    }


def _aggregated(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    for row in csv.DictReader(path.open(encoding="utf-8")):
        if row["Name"] == "Aggregated":
            count = int(row["Request Count"])
            return {
                "messages": count,
                "errors": int(row["Failure Count"]),
                "messages_per_s": float(row["Requests/s"]),
                "p50_ms": float(row["50%"]) if count else None,
                "p95_ms": float(row["95%"]) if count else None,
                "p99_ms": float(row["99%"]) if count else None,
                "max_ms": float(row["Max Response Time"]) if count else None,
            }
    return None


def _failures_by_outcome(path: Path, failures: int) -> dict[str, int]:
    """Locust's failures split into the bot's excuses (locustfile.OUTCOMES: apologies, rate-limit refusals,
    fallbacks) and the rest, which stay `errors`. None of them is an answer."""
    counts = {outcome.replace(" ", "_"): 0 for outcome in OUTCOMES}
    if path.exists():
        for row in csv.DictReader(path.open(encoding="utf-8")):
            for outcome in OUTCOMES:
                if f"'{outcome}'" in row["Error"] or row["Error"] == outcome:
                    counts[outcome.replace(" ", "_")] += int(row["Occurrences"])
    return {**counts, "errors": failures - sum(counts.values())}


def long_figures(conversation: dict[str, Any], block: int) -> dict[str, Any]:
    """Median and maximum per block of turns, the last block's median over the first's, the slowest message."""
    latencies = conversation["latencies_ms"]
    figures = long_conversation.blocks(latencies, block)
    return {
        "turns": len(latencies),
        "blocks": figures,
        "late_over_early": figures[-1]["median_ms"] / figures[0]["median_ms"],
        "max_ms": max(latencies),
        "rounds_unlike": long_conversation.rounds_unlike_the_second(conversation["replies"]),
        "other_cores": conversation.get("other_cores"),
    }


RATIOS = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "messages_per_s")  # figures compared with rasa init as a ratio


def ratio(ours: float | None, base: float | None) -> str:
    return f"{ours / base:.2f}" if ours is not None and base else "n/a"


def results_table(results: dict[str, Any]) -> str:
    rows = []
    for level in results["levels"]:
        ours, base = level["ours"], level["baseline"]
        users = level["users"]
        for key, title, digits in (
            ("p50_ms", "p50 latency, ms", 0),
            ("p95_ms", "p95 latency, ms", 0),
            ("p99_ms", "p99 latency, ms", 0),
            ("max_ms", "slowest message, ms", 0),
            ("messages_per_s", "messages per second", 1),
            ("errors", "errors", 0),
            ("apology", "apologies (action server down or slow)", 0),
            ("rate_limited", "rate-limit refusals", 0),
            ("fallback", "fallbacks (did not understand)", 0),
        ):
            rows.append(
                [
                    f"{users} user{'s' if users > 1 else ''}: {title}",
                    number(ours.get(key), digits),
                    number(base.get(key), digits),
                ]
                + [ratio(ours[key], base[key]) if key in RATIOS else f"{ours.get(key, 0)} of {ours['messages']}"]
            )
    memory = results["memory_mb"]
    rows += [
        ["Rasa server RSS (peak), MB", number(memory["ours"]["rasa"], 0), number(memory["baseline"]["rasa"], 0)]
        + [ratio(memory["ours"]["rasa"], memory["baseline"]["rasa"])],
        ["action server RSS (peak), MB", number(memory["ours"].get("actions"), 0), "none", ""],
        ["start to first answer, s", number(results["first_answer_s"]["ours"], 1)]
        + [number(results["first_answer_s"]["baseline"], 1)]
        + [ratio(results["first_answer_s"]["ours"], results["first_answer_s"]["baseline"])],
        ["training time, s", number(results["training_s"]["ours"], 0), number(results["training_s"]["baseline"], 0)]
        + [ratio(results["training_s"]["ours"], results["training_s"]["baseline"])],
    ]
    return table(["figure", "ours", "rasa init", "ours / rasa init"], rows)


def target_rows(results: dict[str, Any]) -> list[list[str]]:
    by_users = {level["users"]: level for level in results["levels"]}
    rows = []
    if 1 in by_users:
        p50 = by_users[1]["ours"]["p50_ms"]
        rows.append(["1 user: p50 <= 40 ms", number(p50, 0), verdict(p50 is not None and p50 <= 40)])
    if 10 in by_users:
        ours, base = by_users[10]["ours"], by_users[10]["baseline"]
        rows.append(
            [
                "10 users: throughput >= rasa init (ratio >= 1.0)",
                ratio(ours["messages_per_s"], base["messages_per_s"]),
                verdict(ours["messages_per_s"] >= base["messages_per_s"]),
            ]
        )
        rows.append(["10 users: p95 <= 300 ms", number(ours["p95_ms"], 0), verdict((ours["p95_ms"] or 1e9) <= 300)])
        excuses = sum(ours.get(key, 0) for key in ("apology", "rate_limited", "fallback"))
        rows.append(["10 users: zero errors", str(ours["errors"]), verdict(ours["errors"] == 0)])
        rows.append(["10 users: no apology, refusal or fallback", str(excuses), verdict(excuses == 0)])
    rows += long_target_rows(results, by_users)
    memory = results["memory_mb"]["ours"]
    rows.append(["Rasa server RSS <= 1.2 GB", f"{memory['rasa']:.0f} MB", verdict(memory["rasa"] <= 1200)])
    actions = memory.get("actions")
    rows.append(
        ["action server RSS <= 300 MB", number(actions, 0) + " MB", verdict(actions is not None and actions <= 300)]
    )
    heavy = results["action_server_loads"]
    rows.append(["action server loads no torch/tensorflow", ", ".join(heavy) or "neither", verdict(not heavy)])
    first = results["first_answer_s"]["ours"]
    rows.append(["start to first answer <= 30 s", f"{first:.1f} s", verdict(first <= 30)])
    trained = results["training_s"]["ours"]
    rows.append(
        ["full training <= 5 min", number(trained, 0) + " s", verdict(None if trained is None else trained <= 300)]
    )
    return rows


def long_target_rows(results: dict[str, Any], by_users: dict[int, Any]) -> list[list[str]]:
    """Issue 18's targets: a message costs the same late in a conversation, and the tail stays near the median."""
    limits, rows = LONG_TARGETS, []
    long = results.get("long_conversation")
    if long:
        first, last = long["blocks"][0], long["blocks"][-1]
        rows.append(
            [
                f"long conversation: median of turns {last['first']}-{last['last']} <= {limits['late_over_early']}x "
                f"turns {first['first']}-{first['last']}",
                f"{long['late_over_early']:.2f}x",
                verdict(long["late_over_early"] <= limits["late_over_early"]),
            ]
        )
        rows.append(
            [
                "long conversation: every round answered as round 2",
                f"{len(long['rounds_unlike'])} unlike",
                verdict(not long["rounds_unlike"]),
            ]
        )
    slowest = [value for value in (long and long["max_ms"], by_users.get(1, {}).get("ours", {}).get("max_ms")) if value]
    if slowest:
        rows.append(
            [
                f"1 user: slowest message < {limits['max_one_user_ms']} ms (long conversation and 1-user load)",
                f"{max(slowest):.0f} ms",
                verdict(max(slowest) < limits["max_one_user_ms"]),
            ]
        )
    if 10 in by_users and by_users[10]["ours"]["p50_ms"]:
        ours = by_users[10]["ours"]
        tail = ours["p99_ms"] / ours["p50_ms"]
        rows.append(
            [f"10 users: p99 < {limits['p99_over_p50_10_users']}x p50", f"{tail:.2f}x",
             verdict(tail < limits["p99_over_p50_10_users"])]
        )  # fmt: skip
    rasa = results["memory_mb"]["ours"]["rasa"]
    limit = limits["rasa_rss_mb"]
    rows.append([f"Rasa server RSS < {limit} MB", f"{rasa:.0f} MB", verdict(rasa < limit)])
    return rows


def long_conversation_section(results: dict[str, Any]) -> str:
    long = results.get("long_conversation")
    if not long:
        return ""
    rows = long_conversation.block_rows(long["blocks"])
    return f"""
## One long conversation (latency by turn number)

Before the load levels, one user sends {long["turns"]} messages in ONE conversation with our servers, one at a
time, rotating {", ".join(f"*{q}*" for q in long_conversation.QUESTIONS)} (each round leans on the one before),
timed at the client. The last block's median is {long["late_over_early"]:.2f}x the first's; the slowest message
took {long["max_ms"]:.0f} ms; {len(long["rounds_unlike"])} rounds of five got replies other than round 2's. Other
processes on the machine used {number(long["other_cores"], 2)} cores meanwhile (when it is large, the figures suffer).

{table(["turns", "median", "max"], rows)}
"""


def plot_latency(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = [level["users"] for level in results["levels"]]
    figure, axis = plt.subplots(figsize=(8, 5))
    for bot, colour in (("ours", "tab:blue"), ("baseline", "tab:grey")):
        for key, style in (("p50_ms", "-"), ("p95_ms", "--"), ("p99_ms", ":")):
            values = [level[bot][key] for level in results["levels"]]
            label = f"{'ours' if bot == 'ours' else 'rasa init'} {key[:3]}"
            axis.plot(users, values, style, marker="o", color=colour, label=label)
    if len(users) > 1:  # a log axis needs a range (a tiny run may have one level only)
        axis.set_xscale("log")
        axis.set_yscale("log")
    axis.set_xticks(users, [str(u) for u in users])
    axis.set_xlabel("concurrent users (closed loop)")
    axis.set_ylabel("latency per message, ms")
    axis.set_title("REST latency versus concurrent users")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80)
    plt.close(figure)


def write_report(out: Path, results: dict[str, Any]) -> Path:
    load_rows = [
        [
            str(level["users"]),
            *(f"{level[bot]['server_cores']:.2f} / {level[bot]['locust_cores']:.2f} / {level[bot]['other_cores']:.2f}"
              for bot in ("ours", "baseline")),
        ]
        for level in results["levels"]
    ]  # fmt: skip
    kind = "**tiny run**" if results["tiny"] else "full run"
    code = results.get("code") or code_version()
    text = f"""# Load benchmark (`make bench`)

{results["when"]}; {machine_line()}; {code}; {kind}, whole run {
        results["total_s"]:.0f} s. Simulated users (Locust, closed loop: each sends its next message as soon as it is
answered, pause {results["think_time_s"]:g} s) hold the conversations of `tools/quality/conversations.yml`
(English and Spanish: greeting, definitions, comparisons, follow-ups, code, the recommendation form),
{results["duration_s"]:g} s per level and bot. At each level, first our servers (started as `make serve` does: Rasa +
action server, SQLite tracker store, the knowledge base; the per-sender rate limit raised to
{servers.BENCH_RATE_LIMIT} so that one sender may hold the long conversation), then an untouched `rasa init`
bot (in-memory tracker store, no action server) holding its own kind of conversation (its mood-bot flows) at
the same pace and number of users. Both servers stay up for the whole run. Error: a status other than 200 or an
empty reply.

{results_table(results)}

Memory: the peak resident set (process and children) sampled every 0.5 s during the load. Training: each
`rasa train` alone, from an empty cache. The action server has loaded: {
        ", ".join(results["action_server_loads"]) or "neither torch nor tensorflow"
    } (read from its memory map).

![latency versus users](bench_latency.png)
{long_conversation_section(results)}
## Targets

{table(["target", "measured", "verdict"], target_rows(results))}

## CPU during each run (cores: servers / Locust / other processes on the machine)

{table(["users", "ours", "rasa init"], load_rows)}

The machine has {os.cpu_count()} cores, shared by the servers, Locust and anything else running; "other processes"
above is CPU used by neither (when it is large, the figures of that run are pessimistic).
"""
    path = out / "bench.md"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load-test our servers and a rasa init bot side by side.")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per level and bot")
    parser.add_argument("--turns", type=int, default=400, help="messages of the long conversation (0: none)")
    parser.add_argument("--block", type=int, default=50, help="turns per row of the long conversation's table")
    parser.add_argument("--think-time", type=float, default=0.0, help="seconds a user waits between messages")
    parser.add_argument(
        "--ports", type=int, nargs=3, default=[18005, 18055, 18105], metavar=("RASA", "ACTIONS", "BASE")
    )
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--work", type=Path, default=ROOT / "reports" / "work" / "bench")
    parser.add_argument("--no-train-ours", dest="train_ours", action="store_false", help="skip timing our training")
    parser.add_argument("--tiny", action="store_true", help=f"train with {TINY_EPOCHS} epochs (for tests)")
    args = parser.parse_args(argv)
    args.out, args.work = args.out.resolve(), args.work.resolve()  # the baseline trains in its own directory
    if not serve.MODEL.exists():
        raise SystemExit(f"No trained model at {serve.MODEL.relative_to(ROOT)}: run `make train` first.")
    started = time.monotonic()
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    project, init_model, training = train_bots(args.work, args.train_ours, TINY_EPOCHS if args.tiny else None)

    rasa_port, actions_port, base_port = args.ports
    tracker_db = args.work / "trackers.sqlite"
    tracker_db.unlink(missing_ok=True)
    bots: list[servers.Bot] = []
    try:
        code = code_version()  # what the servers run
        bots.append(servers.start_ours(rasa_port, actions_port, tracker_db))
        print(f"Our servers answered {servers.wait_for_first_answer(bots[0]):.1f} s after launch.", flush=True)
        bots.append(servers.start_baseline(project, init_model, base_port))
        print(f"The rasa init bot answered {servers.wait_for_first_answer(bots[1]):.1f} s after launch.", flush=True)
        ours, base = bots
        for bot in bots:
            warm_up(bot)
        long = None
        if args.turns:
            print(f"One conversation of {args.turns} messages with our servers...", flush=True)
            parts = list(ours.parts.values())
            own = long_conversation.ours_cpu_seconds
            busy_before, own_before, started_long = servers.busy_cpu_seconds(), own(parts), time.monotonic()
            long = long_conversation.converse(ours.url, args.turns)
            busy = servers.busy_cpu_seconds() - busy_before - (own(parts) - own_before)
            long["other_cores"] = max(0.0, busy) / (time.monotonic() - started_long)
        levels = []
        for users in args.users:
            level: dict[str, Any] = {"users": users}
            for bot in bots:
                print(f"{users} user(s) for {args.duration:g} s against {bot.name}...", flush=True)
                level[bot.name] = run_load(bot, users, args.duration, args.work, args.think_time)
            levels.append(level)
        results = {
            "when": now(),
            "code": code,
            "tiny": args.tiny,
            "duration_s": args.duration,
            "think_time_s": args.think_time,
            "levels": levels,
            "memory_mb": {
                bot.name: {part: max(level[bot.name]["peak_rss_mb"][part] for level in levels) for part in bot.parts}
                for bot in bots
            },
            "action_server_loads": servers.heavy_libraries(ours.parts["actions"]) if "actions" in ours.parts else [],
            "first_answer_s": {bot.name: bot.first_answer_seconds for bot in bots},
            "training_s": training,
            "long_conversation": long and long_figures(long, args.block),
        }
    finally:
        for bot in bots:
            bot.stop()
    results["total_s"] = time.monotonic() - started
    (args.out / "bench.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    plot_latency(results, args.out / "bench_latency.png")
    report = write_report(args.out, results)
    print(results_table(results))
    print(f"\nReport: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
