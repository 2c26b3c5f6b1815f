"""Run every code snippet as-is and record the outcome, so the bot only shows code that ran.

Usage: python -m knowledge.verify [--out knowledge/build/snippet_runs.json] [--jobs 2] [--python PATH] [NAME ...]
NAMEs (e.g. `keras/train`, `pytorch`) run only the matching snippets and keep the other records of --out.

The snippets do not run in Rasa's environment (.venv: TensorFlow 2.12, Keras 2) but in their own, .venv-snippets
(`make .venv-snippets/.installed`, from requirements/snippets-lock.txt: current TensorFlow, Keras 3, JAX, PyTorch,
ONNX, LiteRT). Each run is a fresh interpreter of that environment, in an empty temporary folder, with a time limit;
the library versions recorded are read from that environment too.

TensorFlow, PyTorch and JAX snippets run once (`jax/` holds plain JAX code, no Keras; its runs record jaxlib's version
too). Keras snippets are Keras 3 (`import keras`, never `from tensorflow import keras`) and run once on each Keras
backend: KERAS_BACKEND=tensorflow, jax, torch. A Keras snippet that cannot run on all three says so in its leading
comment block (by convention its last line, after those saying what it does):

    # backends: tensorflow, torch -- on JAX, Keras exports ONNX through jax2onnx (not installed here)

naming the backends it runs on, then after " -- " why not the others (required when any is left out). It then runs on
those backends only.

The record (JSON), by snippet path: `sha256` of the code, `passed`, `checked_on`, `versions`, `seconds`, `output`.
A Keras snippet's record also has `backends`: the same fields for each backend it ran on, plus `libraries` (the Keras,
backend and Python versions); its top-level fields sum those up (knowledge.build.summarise_backends): it counts as
passed, and is shown, with the backends it passed on, e.g. "Keras 3.15.1 (backends: TensorFlow 2.21.0, JAX 0.10.2,
PyTorch 2.13.0+cpu), Python 3.11.7".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from knowledge.build import code_digest, summarise_backends
from knowledge.paths import DEFAULT_RUNS, ROOT, SNIPPETS_DIR

TIME_LIMIT_SECONDS = 120
SNIPPETS_PYTHON = ROOT / ".venv-snippets" / "bin" / "python"
# The library each snippet folder's snippets are checked with, and its distribution name.
LIBRARIES = {
    "keras": ("Keras", "keras"),
    "tensorflow": ("TensorFlow", "tensorflow"),
    "pytorch": ("PyTorch", "torch"),
    "jax": ("JAX", "jax"),
}
# Distributions recorded next to a folder's library: JAX's compiled half (XLA) is a package of its own.
ALSO_RECORDED = {"jax": ("jaxlib",)}
# Keras 3 backends (KERAS_BACKEND values), in the order they run and are listed, with the library each one is.
BACKENDS = {
    "tensorflow": ("TensorFlow", "tensorflow"),
    "jax": ("JAX", "jax"),
    "torch": ("PyTorch", "torch"),
}
BACKENDS_LINE = re.compile(r"#\s*backends:\s*(?P<names>[^-]*?)\s*(?:--\s*(?P<reason>.*?))?\s*$")
VERSION_QUERY = (
    "import importlib.metadata as m, json, platform, sys\n"
    "names = sys.argv[1:]\n"
    "print(json.dumps({'python': platform.python_version(), **{n: m.version(n) for n in names}}))\n"
)


@dataclass
class Run:
    sha256: str
    passed: bool
    checked_on: str
    versions: str
    seconds: float
    output: str
    libraries: dict[str, str] = field(default_factory=dict)


class SnippetError(ValueError):
    """A snippet's `# backends:` line is malformed."""


def keras_backends(code: str) -> tuple[list[str], str]:
    """The backends a Keras snippet runs on, and why not the others ("" when it runs on all of them).

    Read from a `# backends: a, b -- reason` line of its leading comment block; without one, every backend."""
    for line in code.splitlines():
        if not line.startswith("#"):
            break
        match = BACKENDS_LINE.fullmatch(line)
        if not match:
            continue
        names = [name.strip() for name in match["names"].split(",") if name.strip()]
        reason = (match["reason"] or "").strip()
        unknown = [name for name in names if name not in BACKENDS]
        if not names or unknown:
            raise SnippetError(f"'{line}': name backends among {', '.join(BACKENDS)}, e.g. '# backends: tensorflow'")
        if len(set(names)) < len(BACKENDS) and not reason:
            raise SnippetError(f"'{line}': say why not the others, after ' -- '")
        return [name for name in BACKENDS if name in names], reason if len(set(names)) < len(BACKENDS) else ""
    return list(BACKENDS), ""


def installed_versions(python: Path = SNIPPETS_PYTHON) -> dict[str, str]:
    """Python's and each library's version in the snippet environment (not in the one running this)."""
    if not Path(python).exists():
        raise SystemExit(f"{python} not found: make the snippet environment with `make .venv-snippets/.installed`")
    names = {package for _, package in (*LIBRARIES.values(), *BACKENDS.values())}
    names = sorted(names.union(*ALSO_RECORDED.values()))
    result = subprocess.run(
        [str(python), "-c", VERSION_QUERY, *names], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


def versions_for(framework: str, installed: dict[str, str], backend: str | None = None) -> tuple[str, dict]:
    """How a run is described, e.g. "PyTorch 2.13.0+cpu, Python 3.11.7" or "JAX 0.10.2, jaxlib 0.10.2, Python
    3.11.7", and the versions it is made of."""
    label, package = LIBRARIES[framework]
    libraries = {"python": installed["python"], framework: installed[package]}
    libraries.update({name: installed[name] for name in ALSO_RECORDED.get(framework, ())})
    if backend is None:
        also = "".join(f", {name} {installed[name]}" for name in ALSO_RECORDED.get(framework, ()))
        return f"{label} {installed[package]}{also}, Python {installed['python']}", libraries
    backend_label, backend_package = BACKENDS[backend]
    libraries["backend"] = f"{backend_label} {installed[backend_package]}"
    return f"{label} {installed[package]} (backend: {libraries['backend']}), Python {installed['python']}", libraries


def run_snippet(path: Path, installed: dict[str, str], python: Path, backend: str | None = None) -> Run:
    code = path.read_text(encoding="utf-8")
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ}  # TensorFlow's own variable, passed on
    env.pop("PYTHONPATH", None)  # only the snippet environment's packages
    if backend:
        env["KERAS_BACKEND"] = backend
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        try:
            result = subprocess.run(
                [str(python), str(path)],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT_SECONDS,
            )
            passed, output = result.returncode == 0, (result.stdout + result.stderr)[-2000:]
        except subprocess.TimeoutExpired:
            passed, output = False, f"timed out after {TIME_LIMIT_SECONDS} s"
    versions, libraries = versions_for(path.parent.name, installed, backend)
    return Run(
        sha256=code_digest(code),
        passed=passed,
        checked_on=dt.date.today().isoformat(),
        versions=versions,
        seconds=round(time.monotonic() - started, 2),
        output=output,
        libraries=libraries,
    )


def snippet_paths() -> list[Path]:
    return sorted(SNIPPETS_DIR.glob("*/*.py"))


def planned_runs(paths: list[Path]) -> list[tuple[Path, str | None]]:
    """(snippet, Keras backend or None) for every run to make."""
    plan: list[tuple[Path, str | None]] = []
    for path in paths:
        if path.parent.name == "keras":
            backends, _ = keras_backends(path.read_text(encoding="utf-8"))
            plan.extend((path, backend) for backend in backends)
        else:
            plan.append((path, None))
    return plan


def record(path: Path, runs: dict[str | None, Run]) -> dict:
    """The JSON record of one snippet from its runs (one per backend for Keras)."""
    if None in runs:
        return asdict(runs[None])
    backends = {backend: asdict(run) for backend, run in runs.items()}
    digest = code_digest(path.read_text(encoding="utf-8"))
    summary = summarise_backends(backends, digest)
    output = "\n".join(f"[{backend}] {run.output}" for backend, run in runs.items() if not run.passed)
    return {"sha256": digest, **summary, "output": output[-4000:], "backends": backends}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_RUNS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--python", type=Path, default=SNIPPETS_PYTHON, help="the snippet environment's python")
    parser.add_argument("names", nargs="*", help="only snippets whose <framework>/<task> contains one of these")
    args = parser.parse_args(argv)
    paths = [
        path
        for path in snippet_paths()
        if not args.names or any(name in f"{path.parent.name}/{path.stem}" for name in args.names)
    ]
    try:
        plan = planned_runs(paths)
    except SnippetError as error:
        print(f"malformed snippet: {error}", file=sys.stderr)
        return 2
    installed = installed_versions(args.python)
    print(
        f"running {len(paths)} code snippets ({len(plan)} runs: Keras ones once per backend), {args.jobs} at a time, "
        f"with {args.python.relative_to(ROOT) if args.python.is_relative_to(ROOT) else args.python}...",
        flush=True,
    )
    started = time.monotonic()

    def run_and_report(item: tuple[Path, str | None]) -> Run:
        path, backend = item
        run = run_snippet(path, installed, args.python, backend)
        outcome = "ok  " if run.passed else "FAIL"
        on = f" [{backend}]" if backend else ""
        print(f"  {outcome} {path.relative_to(SNIPPETS_DIR)}{on} ({run.seconds:.0f} s)", flush=True)
        return run

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run_and_report, plan))
    by_path: dict[Path, dict[str | None, Run]] = {}
    for (path, backend), run in zip(plan, results, strict=True):
        by_path.setdefault(path, {})[backend] = run
    records = {str(path.relative_to(ROOT)): record(path, runs) for path, runs in by_path.items()}

    kept = {}
    if args.names and args.out.exists():
        kept = json.loads(args.out.read_text(encoding="utf-8"))
    current = {str(path.relative_to(ROOT)) for path in snippet_paths()}
    everything = {key: value for key, value in {**kept, **records}.items() if key in current}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(dict(sorted(everything.items())), indent=1), encoding="utf-8")

    failed = [(path, backend, run) for (path, backend), run in zip(plan, results, strict=True) if not run.passed]
    names = [f"{path.relative_to(SNIPPETS_DIR)}" + (f" [{backend}]" if backend else "") for path, backend, _ in failed]
    print(
        f"ran {len(records)} snippets in {len(plan)} runs ({time.monotonic() - started:.0f} s): "
        f"{len(plan) - len(failed)} runs passed" + (f", failed: {', '.join(names)}" if failed else "")
    )
    for name, (_, _, run) in zip(names, failed, strict=True):
        print(f"--- {name}\n{run.output}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
