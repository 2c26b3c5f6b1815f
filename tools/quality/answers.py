"""Answer quality: did the reply answer the question that was asked, first?

Usage: python -m tools.quality.answers [--tiny] [--out reports/answers.md]
       python -m tools.quality.answers --calibrate [--thresholds 0.4,0.45,0.5,0.55,0.6]
       python -m tools.quality.answers --dev [--url http://localhost:5005 --token T]

`--dev` asks the development questions instead (report in reports/work/dev_answers.md, not committed): the set
to look at while improving answers; the held-out set is only ever scored. `--url` asks servers already running
(started with RASA_API_TOKEN=T) instead of starting a pair, so a change to the actions is tried in seconds.

`--calibrate` chooses the answer threshold (actions/answers.py, ANSWER) on the development questions of
`tools/quality/dev_questions.yml`, never on the held-out set: one server run per threshold (the action server reads
ANSWER_THRESHOLD), the figures of each in reports/calibration.md, and the best threshold whose honest-unknown rate
holds the target in both languages.

Every question of the held-out set `tests/answers/heldout.yml` (labelled with the knowledge entry that answers
it, or `none`) goes, as a new conversation, through the real servers over REST, exactly as a user's would.
The entries the reply answered with are read from the conversation's `answer_entries` slot (the management
API, with a token made up for the run). Per language the report gives: top-1 answer accuracy (the reply's
first entry is the label, or an older or newer claim of the same update chain), the share answered within the
first 300 characters, the honest-unknown rate on `none` questions (no entry presented as the answer), and the
median length of a reply without its code blocks.
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from bot.launch import runtime_config, serve
from knowledge.paths import ROOT
from knowledge.text import LANGUAGES, fold_phrase
from tools.quality.markdown import code_version, machine_line, number, table, verdict
from tools.quality.servers import environment, wait_until_ready

HELD_OUT = ROOT / "tests" / "answers" / "heldout.yml"
DEV = ROOT / "tools" / "quality" / "dev_questions.yml"
CALIBRATION_REPORT = ROOT / "reports" / "calibration.md"
DEFAULT_THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
WRONG_ANSWER_COST = 2  # in calibration, a wrong answer counts twice against the threshold, a right one once
QUESTIONS_DIR = ROOT / "knowledge" / "sources" / "questions"
REPORT = ROOT / "reports" / "answers.md"
DEV_REPORT = ROOT / "reports" / "work" / "dev_answers.md"
RASA_PORT, ACTIONS_PORT = 19305, 19355
FIRST_CHARACTERS = 300
TASK_PREFIX = "task:"
TARGETS = {"top1": 0.90, "honest_unknown": 0.90, "median_length": 400}
CODE_BLOCK = re.compile(r"```.*?```", re.S)
TINY_PER_LANGUAGE = 6


@dataclass
class Outcome:
    question: str
    lang: str
    label: str
    entries: list[str]
    reply: str
    intent: str = ""


def held_out(path: Path = HELD_OUT) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def index_questions(directory: Path = QUESTIONS_DIR) -> list[str]:
    found = []
    for path in sorted(directory.glob("*.yml")):
        for by_language in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).values():
            for texts in by_language.values():
                found.extend(texts)
    return found


def seen_texts() -> list[str]:
    """Everything the bot was built from: the index phrasings and the NLU training examples."""
    from tools.quality.heldout import training

    return index_questions() + [example.text for example in training()]


def overlap(questions: list[dict], indexed: list[str]) -> list[str]:
    """Held-out questions that are also index phrasings or training examples, once case, accents and
    punctuation are folded."""
    seen = {fold_phrase(text) for text in indexed}
    return [item["q"] for item in questions if fold_phrase(item["q"]) in seen]


def held_out_among(questions: list[dict]) -> list[str]:
    """Those of these questions that are held-out questions (folded), which development work must never hold."""
    return overlap(questions, [item["q"] for item in held_out()])


def tiny(questions: list[dict]) -> list[dict]:
    """A few questions per language, answerable and not, for `make test`."""
    picked = []
    for lang in LANGUAGES:
        mine = [q for q in questions if q["lang"] == lang]
        answerable = [q for q in mine if q["answer"] != "none"][: TINY_PER_LANGUAGE - 2]
        picked += answerable + [q for q in mine if q["answer"] == "none"][:2]
    return picked


def ask_all(url: str, token: str, questions: list[dict]) -> list[Outcome]:
    outcomes = []
    for number_, item in enumerate(questions):
        sender = f"answers-{number_}-{secrets.token_hex(3)}"
        response = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": item["q"]}, timeout=60
        )
        response.raise_for_status()
        reply = "\n\n".join(message.get("text") or "" for message in response.json())
        tracker = requests.get(f"{url}/conversations/{sender}/tracker", params={"token": token}, timeout=30)
        tracker.raise_for_status()
        entries = (tracker.json().get("slots") or {}).get("answer_entries") or []
        intent = ((tracker.json().get("latest_message") or {}).get("intent") or {}).get("name") or ""
        outcomes.append(Outcome(item["q"], item["lang"], str(item["answer"]), list(entries), reply, intent))
    return outcomes


def answers(entries: list[str], label: str, chain_of) -> bool:
    """Whether a reply answers with the labelled entry (or an older or newer claim of its update chain) first.
    An overview ("tell me about X") also answers with the definition it opens with, listed next."""
    if not entries:
        return False
    first = [entries[0], entries[1]] if entries[0].startswith("about:") and len(entries) > 1 else entries[:1]
    return chain_of(label) in {chain_of(entry) for entry in first}


def score(outcomes: list[Outcome], chain_of, lead_of) -> dict[str, dict]:
    """Figures per language. `chain_of(entry)` names an entry's update chain; `lead_of(entry, lang)` is the
    beginning of the text the bot shows for it."""
    results = {}
    for lang in LANGUAGES:
        mine = [o for o in outcomes if o.lang == lang]
        answerable = [o for o in mine if o.label != "none"]
        unknown = [o for o in mine if o.label == "none"]
        correct = [o for o in answerable if answers(o.entries, o.label, chain_of)]
        early = [o for o in correct if 0 <= o.reply.find(lead_of(o.entries[0], lang)) < FIRST_CHARACTERS]
        honest = [o for o in unknown if not o.entries]
        misled = [o for o in answerable if o.entries and o not in correct]
        lengths = [len(CODE_BLOCK.sub("", o.reply).strip()) for o in mine]
        results[lang] = {
            "questions": len(mine),
            "answerable": len(answerable),
            "top1": len(correct) / len(answerable) if answerable else None,
            "first_300": len(early) / len(answerable) if answerable else None,
            "honest_unknown": len(honest) / len(unknown) if unknown else None,
            "answered_wrongly": len(misled) / len(answerable) if answerable else None,
            "median_length": statistics.median(lengths) if lengths else None,
            "wrong": [o for o in answerable if o not in correct],
            "pretended": [o for o in unknown if o.entries],
        }
    return results


def write_report(out: Path, results: dict[str, dict], run: dict) -> None:
    rows = []
    for key, title in (
        ("top1", "top-1 answer accuracy"),
        ("first_300", f"answered within the first {FIRST_CHARACTERS} characters"),
        ("honest_unknown", "honest unknown on `none` questions"),
        ("median_length", "median reply length without code (characters)"),
    ):
        cells = [results[lang][key] for lang in LANGUAGES]
        target = TARGETS.get(key)
        if key == "median_length":
            shown = [f"{c:.0f}" if c is not None else "—" for c in cells]
            holds = all(c is not None and c <= target for c in cells) if target else None
            rows.append([title, *shown, f"<= {target}", verdict(holds)])
        else:
            holds = all(c is not None and c >= target for c in cells) if target else None
            rows.append(
                [
                    title,
                    *[number(c) for c in cells],
                    f">= {target}" if target else "—",
                    verdict(holds if target else None),
                ]
            )
    lines = [
        f"# Answer quality ({run['set']} questions)",
        "",
        f"Measured {run['date']} on {code_version()}; {machine_line()}; {run['seconds']:.0f} s for {run['asked']} "
        f"questions{' (tiny run)' if run['tiny'] else ''}. Set: `{run['path']}`; overlap with "
        f"the index phrasings and NLU training examples (case, accents and punctuation folded): {run['overlap']}.",
        "",
        table(["", "en", "es", "target", ""], rows),
        "",
        f"Questions: en {results['en']['questions']} ({results['en']['answerable']} answerable), "
        f"es {results['es']['questions']} ({results['es']['answerable']} answerable).",
        "",
        "## Answered with another entry, or not answered",
        "",
    ]
    for lang in LANGUAGES:
        for o in results[lang]["wrong"]:
            lines.append(f"- ({lang}) {o.question!r}: expected `{o.label}`, got `{', '.join(o.entries) or 'no entry'}`")
            if run["set"] == "development":  # what the user saw, to work from (never for the held-out set)
                lines.append(f"  > [{o.intent}] {' '.join(o.reply.split())[:140]}")
    lines += ["", "## `none` questions answered as if known", ""]
    for lang in LANGUAGES:
        for o in results[lang]["pretended"]:
            lines.append(f"- ({lang}) {o.question!r}: answered with `{', '.join(o.entries)}`")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ask_through_servers(questions: list[dict], work: Path, extra_env: dict[str, str] | None = None) -> list[Outcome]:
    """Start the real servers (with `extra_env` in their environment), ask every question, stop them."""
    token = secrets.token_hex(16)
    settings = {runtime_config.API_TOKEN_VARIABLE: token, "TRACKER_STORE_URL": f"sqlite:///{work / 'trackers.sqlite'}"}
    settings.update(extra_env or {})
    with environment(settings):
        processes = serve.start(RASA_PORT, ACTIONS_PORT, log=True, log_dir=work / "logs")
    try:
        url = f"http://localhost:{RASA_PORT}"
        wait_until_ready(url, f"http://localhost:{ACTIONS_PORT}", processes, work / "logs")
        return ask_all(url, token, questions)
    finally:
        serve.stop(processes)


def scorers() -> tuple:
    """`chain_of(entry)` and `lead_of(entry, lang)` from the knowledge base."""
    from actions.answers import Composer
    from knowledge.store import KnowledgeStore

    store = KnowledgeStore()
    composers = {lang: Composer(store, lang) for lang in LANGUAGES}

    def chain_of(entry: str) -> str:
        info = store.entry(entry)
        return info.chain if info else entry

    def lead_of(entry: str, lang: str) -> str:
        """A code task's reply opens with its title, followed by the framework asked for ("**Train a model —
        PyTorch**"); any other entry's with its text."""
        if entry.startswith(TASK_PREFIX):
            return store.task_title(entry.removeprefix(TASK_PREFIX), lang)[:40]
        return composers[lang].render_entry(entry).lstrip("*")[:40]

    return chain_of, lead_of


def calibrate(thresholds: list[float], out: Path) -> int:
    questions = held_out(DEV)
    leaked = held_out_among(questions)
    if leaked:
        print(f"development questions that are also held-out questions: {leaked[:5]}", file=sys.stderr)
        return 1
    seen = {fold_phrase(text) for text in seen_texts()}
    questions = [item for item in questions if fold_phrase(item["q"]) not in seen]  # an index phrasing tells nothing
    chain_of, lead_of = scorers()
    rows, best, fallback = [], None, None
    for threshold in thresholds:
        work = Path(tempfile.mkdtemp(prefix="calibrate-"))
        outcomes = ask_through_servers(questions, work, {"ANSWER_THRESHOLD": str(threshold)})
        results = score(outcomes, chain_of, lead_of)
        cells = []
        for lang in LANGUAGES:
            r = results[lang]
            cells += [number(r["top1"]), number(r["answered_wrongly"]), number(r["honest_unknown"])]
        rows.append([f"{threshold:.2f}", *cells])
        print(f"threshold {threshold:.2f}: " + ", ".join(cells), flush=True)
        holds = all((results[lang]["honest_unknown"] or 0) >= TARGETS["honest_unknown"] for lang in LANGUAGES)
        merit = sum((r["top1"] or 0) - WRONG_ANSWER_COST * (r["answered_wrongly"] or 0) for r in results.values()) / 2
        if holds and (best is None or merit > best[1]):
            best = (threshold, merit)
        if fallback is None or merit > fallback[1]:
            fallback = (threshold, merit)
    if best:
        chosen = f"**{best[0]:.2f}**"
    else:  # none holds the target here: still the best of them, and the report says so
        chosen = f"**{fallback[0]:.2f}**, the best mean of all, as no threshold holds the honest-unknown target"
    lines = [
        "# Answer threshold calibration (development questions)",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {code_version()}; {machine_line()}. Questions: "
        f"`{DEV.relative_to(ROOT)}` ({len(questions)}), written apart from the held-out set, the index phrasings and "
        "the NLU training data; none equals a held-out question (case, accents and punctuation folded). Each "
        "threshold is one run of the real servers with `ANSWER_THRESHOLD` set.",
        "",
        table(
            ["threshold", "en top-1", "en answered wrongly", "en honest unknown"]
            + ["es top-1", "es answered wrongly", "es honest unknown"],
            rows,
        ),
        "",
        f"Rule: among the thresholds whose honest-unknown rate is at least {TARGETS['honest_unknown']} in both "
        f"languages, the best mean of top-1 minus {WRONG_ANSWER_COST:g} times the share answered wrongly (a confident "
        f'wrong answer costs the user more than an honest "I don\'t have that yet"). Chosen: {chosen}.',
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"chosen threshold: {chosen}; report: {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a few questions per language (make test)")
    parser.add_argument("--calibrate", action="store_true", help="choose the answer threshold on the dev set")
    parser.add_argument("--thresholds", default=",".join(map(str, DEFAULT_THRESHOLDS)))
    parser.add_argument("--dev", action="store_true", help="the development questions (to work from)")
    parser.add_argument("--set", type=Path, help="another file of development questions (read like --dev)")
    parser.add_argument("--url", help="ask servers already running here instead of starting them")
    parser.add_argument("--token", help="their RASA_API_TOKEN (with --url)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.calibrate:
        return calibrate([float(t) for t in args.thresholds.split(",")], args.out or CALIBRATION_REPORT)
    if args.set:
        args.dev = True
    path = (args.set or DEV).resolve() if args.dev else HELD_OUT
    out = args.out or (DEV_REPORT if args.dev else REPORT)

    questions = held_out(path)
    if args.dev:  # a development report lists what the bot replied to each miss: never for held-out questions
        leaked = held_out_among(questions)
        if leaked:
            print(f"{len(leaked)} of these questions are held-out questions; refusing to list replies", file=sys.stderr)
            return 1
    overlapping = overlap(questions, seen_texts())
    if overlapping and not args.dev:
        print(f"held-out questions also in the index: {overlapping[:5]}", file=sys.stderr)
        return 1
    if args.dev:  # an index phrasing tells nothing about the answers
        questions = [item for item in questions if item["q"] not in set(overlapping)]
    if args.tiny:
        questions = tiny(questions)
    chain_of, lead_of = scorers()
    started = time.monotonic()
    try:
        if args.url:
            outcomes = ask_all(args.url.rstrip("/"), args.token or "", questions)
        else:
            outcomes = ask_through_servers(questions, Path(tempfile.mkdtemp(prefix="answers-")))
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    results = score(outcomes, chain_of, lead_of)
    run = {
        "date": time.strftime("%Y-%m-%d"),
        "seconds": seconds,
        "asked": len(outcomes),
        "tiny": args.tiny,
        "set": "development" if args.dev else "held-out",
        "path": path.relative_to(ROOT) if path.is_relative_to(ROOT) else path,
        "overlap": "none" if not overlapping else len(overlapping),
    }
    write_report(out, results, run)
    for lang in LANGUAGES:
        r = results[lang]
        print(
            f"{lang}: top-1 {number(r['top1'])}, first {FIRST_CHARACTERS} chars {number(r['first_300'])}, "
            f"honest unknown {number(r['honest_unknown'])}, median length {r['median_length']}"
        )
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
