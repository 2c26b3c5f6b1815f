"""Run every code snippet as-is and record the outcome, so the bot only shows code that ran.

Usage: python -m knowledge.verify [--out knowledge/build/snippet_runs.json] [--jobs 2]
Each snippet runs in a fresh interpreter, in an empty temporary folder, with a time limit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

from knowledge.build import code_digest
from knowledge.paths import DEFAULT_RUNS, ROOT, SNIPPETS_DIR

TIME_LIMIT_SECONDS = 120
LIBRARIES = {
    "keras": ("TensorFlow/Keras", "tensorflow"),
    "tensorflow": ("TensorFlow", "tensorflow"),
    "pytorch": ("PyTorch", "torch"),
}


@dataclass
class Run:
    sha256: str
    passed: bool
    checked_on: str
    versions: str
    seconds: float
    output: str


def versions_for(framework: str) -> str:
    label, package = LIBRARIES[framework]
    return f"{label} {version(package)}, Python {platform.python_version()}"


def run_snippet(path: Path) -> Run:
    code = path.read_text(encoding="utf-8")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        try:
            result = subprocess.run(
                [sys.executable, str(path)], cwd=workdir, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS
            )
            passed, output = result.returncode == 0, (result.stdout + result.stderr)[-2000:]
        except subprocess.TimeoutExpired:
            passed, output = False, f"timed out after {TIME_LIMIT_SECONDS} s"
    return Run(
        sha256=code_digest(code),
        passed=passed,
        checked_on=dt.date.today().isoformat(),
        versions=versions_for(path.parent.name),
        seconds=round(time.monotonic() - started, 2),
        output=output,
    )


def snippet_paths() -> list[Path]:
    return sorted(SNIPPETS_DIR.glob("*/*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_RUNS)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    paths = snippet_paths()
    print(f"running {len(paths)} code snippets, {args.jobs} at a time (about 10 s each)...", flush=True)

    def run_and_report(path: Path) -> Run:
        run = run_snippet(path)
        outcome = "ok  " if run.passed else "FAIL"
        print(f"  {outcome} {path.relative_to(SNIPPETS_DIR)} ({run.seconds:.0f} s)", flush=True)
        return run

    with ThreadPoolExecutor(args.jobs) as pool:
        runs = dict(zip((str(p.relative_to(ROOT)) for p in paths), pool.map(run_and_report, paths), strict=True))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({key: asdict(run) for key, run in runs.items()}, indent=1), encoding="utf-8")
    failed = [key for key, run in runs.items() if not run.passed]
    print(
        f"ran {len(runs)} snippets: {len(runs) - len(failed)} passed"
        + (f", failed: {', '.join(failed)}" if failed else "")
    )
    for key in failed:
        print(f"--- {key}\n{runs[key].output}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
