"""Every code snippet runs as-is; the bot only shows snippets that passed, with the versions that ran them.

The snippets do not run in Rasa's environment (.venv: TensorFlow 2.12, Keras 2) but in their own, .venv-snippets
(current TensorFlow, Keras 3, JAX, PyTorch, ONNX Runtime, LiteRT: requirements/snippets.in and its lock file
requirements/snippets-lock.txt). `python -m knowledge.verify` runs them there, and `make test` runs it (through
`make kb`) whenever a snippet, the verifier or the snippet lock file changed. TensorFlow and PyTorch snippets run once,
and so do the plain-JAX ones (knowledge/snippets/jax: the core tasks, shown when JAX is asked for).

Keras snippets are Keras 3 (`import keras`, never `from tensorflow import keras`) and run once on every Keras
backend: KERAS_BACKEND=tensorflow, jax and torch. A Keras snippet that cannot run on one of them declares the
backends it does run on in its leading comment block (by convention its last line), with why not the others after
" -- ":

    # backends: tensorflow, torch -- on JAX, Keras exports ONNX through jax2onnx (not installed here)

Without such a line it must run on all three. The bot shows a Keras snippet with the backends it passed on
("Keras 3.15.1 (backends: TensorFlow 2.21.0, JAX 0.10.2, PyTorch 2.13.0+cpu), Python 3.11.7").

These tests read the last run's record and fail on any snippet that did not pass with its current code, on every
backend it declares, with the library versions now installed in .venv-snippets.
"""

from __future__ import annotations

import json

import pytest

from actions.answers import Composer
from actions.i18n import table
from knowledge.build import build, code_digest, summarise_backends
from knowledge.paths import DEFAULT_RUNS, ROOT
from knowledge.store import KnowledgeStore
from knowledge.verify import BACKENDS, SnippetError, installed_versions, keras_backends, snippet_paths, versions_for

PATHS = snippet_paths()
KERAS_PATHS = [path for path in PATHS if path.parent.name == "keras"]


def _id(path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.fixture(scope="module")
def runs() -> dict:
    assert DEFAULT_RUNS.exists(), "no snippet run recorded: run `make kb` (or `python -m knowledge.verify`)"
    return json.loads(DEFAULT_RUNS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def installed() -> dict[str, str]:
    """The versions in the snippet environment now (read with its own python, not this one)."""
    return installed_versions()


def test_every_task_has_code_or_a_reason_in_every_framework(store: KnowledgeStore):
    for task in store.tasks():
        for framework in ("keras", "tensorflow", "pytorch"):
            has_file = (ROOT / "knowledge" / "snippets" / framework / f"{task}.py").exists()
            assert has_file or store.not_applicable(framework, task, "en"), (framework, task)


@pytest.mark.parametrize("path", KERAS_PATHS, ids=[_id(p) for p in KERAS_PATHS])
def test_keras_snippets_are_keras_3(path):
    code = path.read_text(encoding="utf-8")
    assert "import keras\n" in code
    assert "from tensorflow import keras" not in code and "tf.keras" not in code


@pytest.mark.parametrize("path", PATHS, ids=[_id(p) for p in PATHS])
def test_snippet_ran_and_passed(runs, installed, path):
    run = runs.get(str(path.relative_to(ROOT)))
    assert run is not None, f"{path.name} was never run"
    digest = code_digest(path.read_text(encoding="utf-8"))
    framework = path.parent.name
    if framework != "keras":
        assert run["sha256"] == digest, "the snippet changed since its last run"
        assert run["versions"] == versions_for(framework, installed)[0], "the snippet environment changed since"
        assert run["passed"], run["output"]
        return
    declared, _ = keras_backends(path.read_text(encoding="utf-8"))
    assert list(run.get("backends", {})) == declared, "not run on every backend it declares"
    for backend, on in run["backends"].items():
        assert on["sha256"] == digest, f"the snippet changed since its last run on {backend}"
        assert on["versions"] == versions_for(framework, installed, backend)[0], f"{backend}: environment changed"
        assert on["passed"], f"failed on {backend}:\n{on['output']}"


@pytest.mark.parametrize("path", KERAS_PATHS, ids=[_id(p) for p in KERAS_PATHS])
def test_a_keras_snippet_says_why_it_skips_a_backend(path):
    backends, reason = keras_backends(path.read_text(encoding="utf-8"))
    assert backends and set(backends) <= set(BACKENDS)
    assert (len(backends) == len(BACKENDS)) == (not reason), "a left-out backend needs a reason after ' -- '"


def test_backends_line_convention():
    assert keras_backends("# Train.\nimport keras\n") == (["tensorflow", "jax", "torch"], "")
    code = "# Distribute.\n# backends: torch, tensorflow -- MirroredStrategy is TensorFlow's\nimport keras\n"
    assert keras_backends(code) == (["tensorflow", "torch"], "MirroredStrategy is TensorFlow's")
    assert keras_backends("# backends: tensorflow, jax, torch\n") == (["tensorflow", "jax", "torch"], "")
    for bad in ("# backends: tensorflow\n", "# backends: numpy -- why\n", "# backends: -- why\n"):
        with pytest.raises(SnippetError):
            keras_backends(bad)
    assert keras_backends("import keras\n# backends: tensorflow\n")[0] == ["tensorflow", "jax", "torch"]  # not leading


def test_a_keras_snippet_is_shown_with_the_backends_it_passed_on():
    def on(backend: str, passed: bool, digest: str = "now") -> dict:
        libraries = {"python": "3.11.7", "keras": "3.15.1", "backend": f"{backend} 1.0"}
        return {"sha256": digest, "passed": passed, "checked_on": "2026-11-29", "seconds": 2.0, "libraries": libraries}

    summary = summarise_backends({"TF": on("TF", True), "JAX": on("JAX", False), "Torch": on("Torch", True)}, "now")
    assert summary["passed"] and summary["versions"] == "Keras 3.15.1 (backends: TF 1.0, Torch 1.0), Python 3.11.7"
    stale = summarise_backends({"TF": on("TF", True, "before"), "JAX": on("JAX", True)}, "now")
    assert stale["versions"] == "Keras 3.15.1 (backend: JAX 1.0), Python 3.11.7"
    assert not summarise_backends({"TF": on("TF", False)}, "now")["passed"]
    assert summarise_backends({"TF": on("TF", True, "before")}, "now") is None


def test_every_snippet_is_the_code_of_a_task(store: KnowledgeStore):
    for path in PATHS:  # a file named after no task would never be shown
        assert path.stem in store.tasks(), _id(path)


def test_jax_runs_are_described_with_jax_and_jaxlib():
    installed = {"python": "3.11.7", "jax": "0.10.2", "jaxlib": "0.10.2"}
    assert versions_for("jax", installed)[0] == "JAX 0.10.2, jaxlib 0.10.2, Python 3.11.7"


def test_a_jax_snippet_that_failed_is_not_shown(tmp_path, runs):
    path = "knowledge/snippets/jax/train.py"
    failed = {**runs, path: {**runs[path], "passed": False}}
    (tmp_path / "runs.json").write_text(json.dumps(failed), encoding="utf-8")
    build(tmp_path / "kb.sqlite", tmp_path / "runs.json")
    store = KnowledgeStore(f"sqlite:///{tmp_path / 'kb.sqlite'}")
    assert store.snippet("jax", "train", "en") is None and store.snippet("jax", "evaluate", "en") is not None
    reply = Composer(store, "en").code(["jax"], "train").text
    assert reply == table("en")["code"]["missing"].format(task=store.task_title("train", "en"), name="JAX")


def test_store_shows_only_snippets_whose_current_code_passed(store: KnowledgeStore, runs):
    for path in PATHS:
        framework, task = path.parent.name, path.stem
        run = runs[str(path.relative_to(ROOT))]
        snippet = store.snippet(framework, task, "en")
        assert (snippet is not None) == run["passed"]
        if snippet and framework == "keras":  # named with exactly the backends it passed on
            passed = [on["libraries"]["backend"] for on in run["backends"].values() if on["passed"]]
            assert snippet.versions.split(" (")[1].split(")")[0].split(": ")[1] == ", ".join(passed)
