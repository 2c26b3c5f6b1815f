"""`make evaluate`: train our configuration and Rasa's default one on the same data, score both, report.

Usage: python -m tools.quality.evaluate [--out reports] [--work reports/work/evaluate] [--tiny] [--sequential]

Both models are trained from scratch (each with its own empty cache) on data/, then scored by
`tools.quality.score` on the held-out examples of tests/nlu and the end-to-end test stories. Writes
<out>/evaluation.md, <out>/confusion_matrices.png and <out>/evaluation.json, and prints the table.
--tiny runs the same code on a handful of examples with one epoch, so the tests can run it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import LANGUAGES
from tools.quality import baseline, heldout
from tools.quality.markdown import code_version, machine_line, now, number, table, verdict
from tools.quality.metrics import nlu_summary, story_accuracy
from tools.quality.training import ROOT, quiet_env, start_training

CONFIGS = ("ours", "default")
TITLES = {"ours": "ours", "default": "Rasa default"}
STORIES = ROOT / "tests" / "stories" / "test_stories.yml"
TARGETS = {"intent_accuracy": 0.95, "macro_f1": 0.93, "out_of_scope_recall": 0.90}
TINY_TRAINING_EXAMPLES, TINY_HELD_OUT_EXAMPLES = 6, 2


def _subset_nlu(source: Path, destination: Path, per_intent: int) -> None:
    """The first `per_intent` examples of every intent block of a Rasa NLU file."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    for block in document["nlu"]:
        if "examples" in block:
            lines = [line for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            block["examples"] = "\n".join(lines[:per_intent]) + "\n"
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")


def prepare(work: Path, tiny: bool) -> dict[str, Any]:
    """Training data, held-out data and both configurations for this run (tiny: few examples, one epoch)."""
    if not tiny:
        return {
            "data": [ROOT / "data"],
            "held_out": heldout.HELD_OUT_DIR,
            "ours": baseline.write_config(ROOT / "config.yml", work / "config-ours.yml"),
            "default": baseline.baseline_config(work / "config-default.yml"),
        }
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    for language in LANGUAGES:
        _subset_nlu(heldout.TRAINING_DIR / f"{language}.yml", data / "nlu" / f"{language}.yml", TINY_TRAINING_EXAMPLES)
        _subset_nlu(
            heldout.HELD_OUT_DIR / f"{language}.yml", work / "held_out" / f"{language}.yml", TINY_HELD_OUT_EXAMPLES
        )
    for name in ("rules.yml", "stories.yml"):
        shutil.copyfile(ROOT / "data" / name, data / name)
    return {
        "data": [data],
        "held_out": work / "held_out",
        "ours": baseline.write_config(ROOT / "config.yml", work / "config-ours.yml", epochs=1),
        "default": baseline.baseline_config(work / "config-default.yml", epochs=1),
    }


def train_both(plan: dict[str, Any], work: Path, sequential: bool) -> dict[str, float]:
    """Seconds each training took (when run side by side, each one also waited for the other's CPU)."""
    seconds, running = {}, []
    for name in CONFIGS:
        print(f"Training {TITLES[name]} configuration ({plan[name].name})...", flush=True)
        running.append(start_training(name, plan[name], ROOT / "domain.yml", plan["data"], work))
        if sequential:
            seconds[name] = running.pop().wait()
    for training in running:
        seconds[training.name] = training.wait()
    return seconds


def score_both(plan: dict[str, Any], work: Path) -> dict[str, dict[str, Any]]:
    """Run `tools.quality.score` for both models side by side (each loads its model once)."""
    processes = {}
    for name in CONFIGS:
        command = [sys.executable, "-m", "tools.quality.score", "--model", str(work / "models" / f"{name}.tar.gz")]
        command += ["--nlu-dir", str(plan["held_out"]), "--stories", str(STORIES), "--out", str(work / f"{name}.json")]
        log = (work / f"score-{name}.log").open("w")
        processes[name] = subprocess.Popen(command, cwd=ROOT, env=quiet_env(), stdout=log, stderr=subprocess.STDOUT)
    for name, process in processes.items():
        if process.wait() != 0:
            tail = (work / f"score-{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"scoring {name} failed; end of its log:\n{tail}")
    return {name: json.loads((work / f"{name}.json").read_text(encoding="utf-8")) for name in CONFIGS}


def summarise(scores: dict[str, dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name, result in scores.items():
        stories = result["stories"]["stories"]
        summary[name] = {
            "nlu": {language: nlu_summary(predictions) for language, predictions in result["nlu"].items()},
            "stories": {key: story_accuracy(stories, key) for key in (*LANGUAGES, "mixed")},
            "stories_all": story_accuracy(stories),
            "action_accuracy": result["stories"]["action_accuracy"],
        }
    return summary


def _ratio(passed_total: tuple[int, int]) -> str:
    passed, total = passed_total
    return f"{passed / total:.3f} ({passed}/{total})" if total else "n/a"


def side_by_side(summary: dict[str, Any]) -> str:
    headers = ["metric"] + [f"{language} {TITLES[name]}" for language in LANGUAGES for name in CONFIGS]

    def row(title: str, value) -> list[str]:
        return [title] + [value(name, language) for language in LANGUAGES for name in CONFIGS]

    nlu = lambda name, language: summary[name]["nlu"][language]  # noqa: E731
    rows = [
        row("intent accuracy", lambda n, lang: number(nlu(n, lang)["intent_accuracy"])),
        row("macro-F1", lambda n, lang: number(nlu(n, lang)["macro_f1"])),
        row("entity F1", lambda n, lang: number(nlu(n, lang)["entity"]["f1"])),
        row("out-of-scope recall", lambda n, lang: number(nlu(n, lang)["out_of_scope_recall"])),
        row("in-scope accuracy", lambda n, lang: number(nlu(n, lang)["in_scope_accuracy"])),
        row("test stories (e2e)", lambda n, lang: _ratio(summary[n]["stories"][lang])),
    ]
    return table(headers, rows)


def target_rows(summary: dict[str, Any]) -> list[list[str]]:
    rows = []
    for language in LANGUAGES:
        ours, default = summary["ours"]["nlu"][language], summary["default"]["nlu"][language]
        for key, minimum in TARGETS.items():
            value = ours[key]
            rows.append(
                [f"{key.replace('_', ' ')} >= {minimum} ({language})", number(value), verdict(value >= minimum)]
            )
        for key in ("intent_accuracy", "macro_f1"):
            better = ours[key] > default[key]
            rows.append(
                [
                    f"{key.replace('_', ' ')} above Rasa default ({language})",
                    f"{number(ours[key])} vs {number(default[key])}",
                    verdict(better),
                ]
            )
        rows.append(
            [
                f"in-scope accuracy within target with out-of-scope on ({language})",
                number(ours["in_scope_accuracy"]),
                verdict(ours["in_scope_accuracy"] >= TARGETS["intent_accuracy"]),
            ]
        )
    return rows


def errors_section(scores: dict[str, dict[str, Any]], name: str = "ours") -> str:
    lines = []
    for language, predictions in scores[name]["nlu"].items():
        wrong = [p for p in predictions if p["intent"] != p["predicted"]]
        lines.append(f"\n**{language}** ({len(wrong)} of {len(predictions)} wrong):\n")
        lines += [
            f"- `{p['text']}`: {p['intent']} → {p['predicted']} ({(p['confidence'] or 0):.2f})" for p in wrong
        ] or ["- none"]
    return "\n".join(lines)


def plot_confusion(scores: dict[str, dict[str, Any]], path: Path) -> None:
    """One picture: a confusion matrix per configuration and language (rows: true intent, columns: predicted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.metrics import confusion_matrix

    figure, axes = plt.subplots(len(CONFIGS), len(LANGUAGES), figsize=(20, 18), squeeze=False)
    for row, name in enumerate(CONFIGS):
        for column, language in enumerate(LANGUAGES):
            predictions = scores[name]["nlu"][language]
            gold = sorted({p["intent"] for p in predictions})
            labels = gold + sorted({p["predicted"] or "none" for p in predictions} - set(gold))
            matrix = confusion_matrix(
                [p["intent"] for p in predictions], [p["predicted"] or "none" for p in predictions], labels=labels
            )
            axis = axes[row][column]
            axis.imshow(matrix, cmap="Blues")
            axis.set_title(f"{TITLES[name]} configuration, {language}")
            axis.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
            axis.set_yticks(range(len(labels)), labels, fontsize=8)
            axis.set_xlabel("predicted")
            axis.set_ylabel("true")
            for (i, j), count in np.ndenumerate(matrix):
                if count:
                    axis.text(j, i, str(count), ha="center", va="center", fontsize=7, color="red" if i != j else "k")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=70)
    plt.close(figure)


def data_sizes(plan: dict[str, Any]) -> str:
    parts = []
    for language in LANGUAGES:
        trained = [p for d in plan["data"] for p in heldout.load_examples(d / "nlu" / f"{language}.yml")]
        held = heldout.held_out(language, plan["held_out"])
        parts.append(f"{language}: {len(trained)} training, {len(held)} held-out examples")
    return "; ".join(parts)


def write_report(out: Path, summary: dict[str, Any], scores: dict, run: dict[str, Any]) -> Path:
    ours_stories, default_stories = summary["ours"]["stories_all"], summary["default"]["stories_all"]
    entity = {lang: summary["ours"]["nlu"][lang]["entity"] for lang in LANGUAGES}
    text = f"""# NLU and dialogue evaluation (`make evaluate`)

{run["when"]}; {machine_line()}; {run.get("code") or code_version()};
{"**tiny run** (a few examples, 1 epoch)" if run["tiny"] else "full run"}.
Both configurations were trained from scratch on the same data ({run["sizes"]}) and scored on the
held-out examples of `tests/nlu` (never trained on) and the end-to-end test stories of
`tests/stories`. *Ours* is `config.yml`; *Rasa default* is the `config.yml` that `rasa init` writes
(Rasa fills in its default pipeline and policies: DIET with 2 transformer layers, 100 epochs...).

{side_by_side(summary)}

- Intent accuracy and macro-F1 count `nlu_fallback` (the bot asks to rephrase) as a wrong answer; macro-F1 is
  the mean over the intents of the test data. Out-of-scope recall: share of the out-of-scope examples
  predicted as `out_of_scope`; in-scope accuracy: intent accuracy on all other examples.
- Entity F1: micro F1 over entity spans (type, start and end exact) against the entities marked in
  `tests/nlu` (ours: precision {number(entity["en"]["precision"])} / recall {number(entity["en"]["recall"])} en,
  {number(entity["es"]["precision"])} / {number(entity["es"]["recall"])} es). The training data marks no entities
  (ours come from the knowledge base's vocabulary), so Rasa's default DIET learns none.
- Test stories: a story counts only when every action and every parsed intent in it is right (`rasa test core
  --e2e`); all stories: ours {_ratio(ours_stories)}, Rasa default {_ratio(default_stories)}, of which
  mixed-language {_ratio(summary["ours"]["stories"]["mixed"])} vs {_ratio(summary["default"]["stories"]["mixed"])};
  action-level accuracy {number(summary["ours"]["action_accuracy"])} vs {number(summary["default"]["action_accuracy"])}.
- Training time: ours {run["training"]["ours"]:.0f} s, Rasa default {run["training"]["default"]:.0f} s
  ({"one after the other" if run["sequential"] else "both at once on the same cores, so each is slower than alone"});
  whole run {run["total"]:.0f} s.

## Targets

{table(["target", "measured", "verdict"], target_rows(summary))}

## Confusion matrices

![confusion matrices](confusion_matrices.png)

## Held-out examples our configuration gets wrong
{errors_section(scores)}
"""
    path = out / "evaluation.md"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train and compare our NLU/dialogue config with Rasa's default.")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--work", type=Path, default=ROOT / "reports" / "work" / "evaluate")
    parser.add_argument("--tiny", action="store_true", help="a few examples and one epoch (for tests)")
    parser.add_argument("--sequential", action="store_true", help="train one configuration after the other")
    args = parser.parse_args(argv)
    started, code = time.monotonic(), code_version()  # the code trained
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    plan = prepare(args.work, args.tiny)
    training = train_both(plan, args.work, args.sequential)
    print(
        f"Trained in {training['ours']:.0f} s (ours) and {training['default']:.0f} s (default); scoring...", flush=True
    )
    scores = score_both(plan, args.work)
    summary = summarise(scores)
    plot_confusion(scores, args.out / "confusion_matrices.png")
    run = {
        "when": now(),
        "code": code,
        "tiny": args.tiny,
        "sequential": args.sequential,
        "training": training,
        "sizes": data_sizes(plan),
        "total": time.monotonic() - started,
    }
    (args.out / "evaluation.json").write_text(json.dumps({"run": run, "summary": summary}, indent=1), encoding="utf-8")
    report = write_report(args.out, summary, scores, run)
    print(side_by_side(summary))
    print(f"\nReport: {report.relative_to(ROOT) if report.is_relative_to(ROOT) else report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
