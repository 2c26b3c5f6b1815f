"""`make evaluate` and `make bench` on tiny sizes (so their code cannot rot), the metrics. The held-out data's
rules (tests/nlu, tests/stories) are in tests/test_heldout.py.

No test here asserts a timing or a score: those depend on the machine and are reported, not pinned.
The tiny evaluation (two trainings of one epoch on a few examples) and the tiny benchmark (real servers on
ports 18205/18255 and 18305, one user for a few seconds) start together and run side by side.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from actions.i18n import table
from knowledge.text import LANGUAGES
from tools.quality import baseline
from tools.quality.metrics import entity_scores, macro_f1, nlu_summary, out_of_scope_recall, story_accuracy
from tools.quality.score import story_language
from tools.quality.training import ROOT, quiet_env

TIMEOUT_SECONDS = 1200  # a guard only: on a busy 2-core machine the tiny runs took up to 10 min
BENCH_SECONDS = "10"  # per load level; in 3 s a busy machine once completed no message at all


def _start(module: str, *args: str, work: Path) -> subprocess.Popen:
    log = (work / f"{module.rsplit('.', 1)[-1]}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=quiet_env(), stdout=log, stderr=subprocess.STDOUT
    )


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both tiny runs, started at once; each one's report folder."""
    root = tmp_path_factory.mktemp("quality")
    out = {"evaluate": root / "evaluate-reports", "bench": root / "bench-reports"}
    processes = {
        "evaluate": _start(
            "tools.quality.evaluate", "--tiny", "--out", str(out["evaluate"]), "--work", str(root / "ev"), work=root
        ),
        "bench": _start(
            "tools.quality.bench", "--tiny", "--no-train-ours", "--users", "1", "--duration", BENCH_SECONDS,
            "--turns", "10", "--block", "5", "--ports", "18205", "18255", "18305",
            "--out", str(out["bench"]), "--work", str(root / "bench"),
            work=root,
        ),
    }  # fmt: skip
    for name, process in processes.items():
        try:
            code = process.wait(TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            code = "timeout"
        log = (root / f"{name}.log").read_text(errors="replace")
        assert code == 0, f"{name} failed ({code}):\n{log[-4000:]}"
    return out


# --- metrics -------------------------------------------------------------------------------------------------


def _prediction(intent: str, predicted: str, entities=(), found=()) -> dict:
    return {"intent": intent, "predicted": predicted, "entities": list(entities), "predicted_entities": list(found)}


def test_metrics_count_fallback_as_a_miss_and_out_of_scope_apart():
    predictions = [
        _prediction("greet", "greet"),
        _prediction("greet", "nlu_fallback"),
        _prediction("out_of_scope", "out_of_scope"),
        _prediction("out_of_scope", "greet"),
    ]
    summary = nlu_summary(predictions)
    assert summary["intent_accuracy"] == 0.5
    assert summary["fallbacks"] == 1
    assert out_of_scope_recall(predictions) == 0.5
    assert summary["in_scope_accuracy"] == 0.5
    # greet: precision 1/2, recall 1/2; out_of_scope: precision 1, recall 1/2 -> F1 0.5 and 2/3
    assert macro_f1(predictions) == pytest.approx((0.5 + 2 / 3) / 2)


def test_entity_f1_needs_type_and_exact_span():
    predictions = [
        _prediction("compare", "compare", [["framework", 0, 5], ["framework", 9, 11]], [["framework", 0, 5]]),
        _prediction("ask_fact", "ask_fact", [["aspect", 3, 8]], [["task", 3, 8], ["framework", 10, 12]]),
    ]
    scores = entity_scores(predictions)
    assert (scores["precision"], scores["recall"]) == (pytest.approx(1 / 3), pytest.approx(1 / 3))


def test_stories_are_grouped_by_the_language_in_their_name():
    assert [story_language(n) for n in ("código y seguimiento (es)", "greet (en)", "facts in both")] == [
        "es",
        "en",
        "mixed",
    ]
    stories = [
        {"language": "en", "passed": True},
        {"language": "en", "passed": False},
        {"language": "es", "passed": True},
    ]
    assert story_accuracy(stories, "en") == (1, 2)
    assert story_accuracy(stories) == (2, 3)


def test_baseline_is_what_rasa_init_writes(tmp_path):
    config = yaml.safe_load(baseline.baseline_config(tmp_path / "config.yml").read_text())
    assert not config.get("pipeline") and not config.get("policies")  # Rasa fills in its defaults
    tiny = yaml.safe_load(baseline.baseline_config(tmp_path / "tiny.yml", epochs=1).read_text())
    assert {c["name"]: c.get("epochs") for c in tiny["pipeline"]}["DIETClassifier"] == 1
    project = baseline.create_init_bot(tmp_path / "init")
    assert {"config.yml", "domain.yml", "data", "credentials.yml"} <= {p.name for p in project.iterdir()}


# --- the tiny runs -------------------------------------------------------------------------------------------


def test_evaluation_report_has_both_configurations_side_by_side_per_language(tiny_runs):
    out = tiny_runs["evaluate"]
    report = (out / "evaluation.md").read_text(encoding="utf-8")
    header = "| metric | en ours | en Rasa default | es ours | es Rasa default |"
    assert header in report
    for metric in ("intent accuracy", "macro-F1", "entity F1", "out-of-scope recall", "test stories (e2e)"):
        assert f"| {metric} |" in report
    assert "![confusion matrices](confusion_matrices.png)" in report
    assert (out / "confusion_matrices.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((out / "evaluation.json").read_text())["summary"]
    for name in ("ours", "default"):
        for language in LANGUAGES:
            figures = summary[name]["nlu"][language]
            assert 0.0 <= figures["intent_accuracy"] <= 1.0 and 0.0 <= figures["entity"]["f1"] <= 1.0
        passed, total = summary[name]["stories_all"]
        assert total == len(yaml.safe_load((ROOT / "tests/stories/test_stories.yml").read_text())["stories"])


def test_bench_report_has_every_figure_with_its_ratio_to_rasa_init(tiny_runs):
    out = tiny_runs["bench"]
    report = (out / "bench.md").read_text(encoding="utf-8")
    assert "| figure | ours | rasa init | ours / rasa init |" in report
    for figure in ("p50 latency", "p95 latency", "p99 latency", "slowest message", "messages per second", "errors"):
        assert f"| 1 user: {figure}" in report
    assert "## One long conversation (latency by turn number)" in report
    assert "| 1-5 |" in report and "| 6-10 |" in report
    for figure in ("Rasa server RSS", "action server RSS", "start to first answer", "training time"):
        assert f"| {figure}" in report
    assert (out / "bench_latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    results = json.loads((out / "bench.json").read_text())
    level = results["levels"][0]
    for bot in ("ours", "baseline"):
        assert level[bot]["messages"] > 0
        assert results["first_answer_s"][bot] > 0
    assert set(results["memory_mb"]["ours"]) == {"rasa", "actions"}
    assert results["memory_mb"]["ours"]["rasa"] > results["memory_mb"]["ours"]["actions"] > 0
    long = results["long_conversation"]
    assert long["turns"] == 10 and [block["last"] for block in long["blocks"]] == [5, 10]
    assert long["max_ms"] >= max(block["median_ms"] for block in long["blocks"]) > 0


def test_every_simulated_message_is_text():
    # YAML reads a bare `yes` or `no` as a boolean; the bot would then get `true` instead of a message.
    sets = yaml.safe_load((ROOT / "tools" / "quality" / "conversations.yml").read_text(encoding="utf-8"))
    assert set(sets) == {"conversations", "rasa_init_conversations"}
    for conversations in sets.values():
        for conversation in conversations:
            assert conversation["messages"] and all(isinstance(m, str) and m for m in conversation["messages"])


# --- answer quality (tools/quality/answers.py) ---------------------------------------------------------------
def test_answer_overlap_check_folds_case_accents_and_punctuation():
    from tools.quality.answers import overlap

    held = [{"q": "¿Quién creó PyTorch?"}, {"q": "what is keras"}]
    assert overlap(held, ["quien creo pytorch", "What is TensorFlow?"]) == ["¿Quién creó PyTorch?"]


def test_held_out_answer_questions_are_unseen_and_enough():
    from tools.quality.answers import held_out, overlap, seen_texts

    questions = held_out()
    assert overlap(questions, seen_texts()) == []
    for lang in ("en", "es"):
        mine = [q for q in questions if q["lang"] == lang]
        assert len(mine) >= 100 and sum(q["answer"] == "none" for q in mine) >= 25


def test_held_out_labels_name_entries_of_the_knowledge_base(store):
    from tools.quality.answers import held_out

    unknown = {q["answer"] for q in held_out() if q["answer"] != "none" and store.entry(q["answer"]) is None}
    assert unknown == set()


def test_answer_score_counts_the_same_update_chain_as_right_and_pretending_as_wrong():
    from tools.quality.answers import Outcome, score

    chains = {"old": "old", "new": "old", "other": "other"}
    outcomes = [
        Outcome("q1", "en", "old", ["new"], "New text first."),
        Outcome("q2", "en", "other", ["old"], "Old text."),
        Outcome("q3", "en", "none", [], "I don't have that."),
        Outcome("q4", "en", "none", ["other"], "Other text."),
    ]
    results = score(outcomes, chains.get, lambda entry, lang: {"new": "New", "old": "Old"}.get(entry, "x"))["en"]
    assert results["top1"] == 0.5 and results["first_300"] == 0.5 and results["honest_unknown"] == 0.5


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_code_reply_counts_as_answered_first_in_whichever_framework_it_is(lang):
    """tools.quality.answers.scorers: a task's lead is its title, which opens the reply in the framework asked for (not
    only in Keras, the first framework its text would render in)."""
    from actions.answers import Composer
    from knowledge.store import KnowledgeStore
    from tools.quality.answers import FIRST_CHARACTERS, scorers

    _, lead_of = scorers()
    reply = Composer(KnowledgeStore(), lang).code(["pytorch"], "train").text
    assert 0 <= reply.find(lead_of("task:train", lang)) < FIRST_CHARACTERS


def test_tiny_answer_evaluation_runs_the_real_servers(tmp_path):
    from tools.quality.answers import main

    out = tmp_path / "answers.md"
    assert main(["--tiny", "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    assert "| top-1 answer accuracy |" in report and "(tiny run)" in report


def test_bench_counts_excuses_apart_from_answers():
    from bot.channels.replies import channel_text
    from tools.quality.outcomes import outcome_of

    assert outcome_of(200, [{"text": "Keras is a high-level API."}]) is None
    assert outcome_of(200, [{"text": channel_text("unavailable", "es")}]) == "apology"
    assert outcome_of(429, []) == "rate limited"
    offer = table("en")["low_confidence"]["offer"]
    assert outcome_of(200, [{"text": offer, "buttons": [{"title": "x"}]}]) == "fallback"
    assert outcome_of(200, []) == "empty reply"
    assert outcome_of(500, []) == "status 500"


def test_development_questions_are_not_held_out_questions():
    from knowledge.text import fold_phrase
    from tools.quality.answers import DEV, held_out

    held = {fold_phrase(item["q"]) for item in held_out()}
    assert not [item["q"] for item in held_out(DEV) if fold_phrase(item["q"]) in held]


# --- one long conversation (tools/quality/long_conversation.py) ----------------------------------------------
def test_long_conversation_figures_come_per_block_of_turns():
    from tools.quality.long_conversation import blocks

    figures = blocks([10, 30, 20, 400, 40, 50, 60], 3)
    assert [(b["first"], b["last"], b["median_ms"], b["max_ms"]) for b in figures] == [
        (1, 3, 20, 30),
        (4, 6, 50, 400),
        (7, 7, 60, 60),
    ]


def test_long_conversation_names_the_rounds_answered_unlike_the_second():
    from tools.quality.long_conversation import rounds_unlike_the_second

    replies = ["a0", "b0"] + ["a", "b"] * 3 + ["a", "B"] + ["a"]  # round 1 has no context; the last is incomplete
    assert rounds_unlike_the_second(replies, questions=2) == [5]
    assert rounds_unlike_the_second(["a", "b"], questions=2) == []


def test_bench_judges_the_long_conversation_and_the_tail_against_issue_18s_targets():
    from tools.quality.bench import long_figures, long_target_rows

    questions = 5
    replies = [f"r{turn % questions}" for turn in range(20)]
    replies[17] = "something else"  # round 4 answered unlike round 2
    long = long_figures({"latencies_ms": [20] * 10 + [30] * 9 + [160], "replies": replies}, block=10)
    assert (long["late_over_early"], long["max_ms"], long["rounds_unlike"]) == (1.5, 160, [4])
    results = {"long_conversation": long, "memory_mb": {"ours": {"rasa": 790.0}}}
    by_users = {10: {"ours": {"p50_ms": 100.0, "p99_ms": 260.0}}}
    rows = long_target_rows(results, by_users)
    assert [row[1] for row in rows] == ["1.50x", "1 unlike", "160 ms", "2.60x", "790 MB"]
    assert [row[2] for row in rows] == ["**missed**"] * 4 + ["holds"]


def test_memory_report_shows_what_each_step_added():
    from tools.quality.memory import report

    text = report([{"step": "TensorFlow", "rss_mb": 380.0}, {"step": "the trained model", "rss_mb": 600.4}], "commit x")
    assert "| TensorFlow | +380 MB | 380 MB |" in text and "| the trained model | +220 MB | 600 MB |" in text
    assert "commit x" in text
