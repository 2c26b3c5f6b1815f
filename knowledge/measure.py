"""Measure PyTorch and Keras training and inference speed on this machine, so the bot shows figures, not claims.

Usage: python -m knowledge.measure [--out knowledge/build/measurements.json] [--tiny]
Each framework runs in its own fresh interpreter (`--worker pytorch|keras`), one after the other, so neither
framework's import, thread pools or memory allocator can slow the other down; this parent process imports neither.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.paths import BUILD_DIR, ROOT

DEFAULT_OUT = BUILD_DIR / "measurements.json"
FRAMEWORKS = ("pytorch", "keras")
WORKLOADS = ("mlp", "cnn")
SEED = 0
LEARNING_RATE = 0.01
NUM_CLASSES = 10
WORKER_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Settings:
    """The knobs both frameworks share; written to the output so a figure is never read without its context."""

    batch_size: int
    steps: int
    warmup: int
    repeats: int
    threads: int


def settings_for(tiny: bool) -> Settings:
    """Full mode takes well under three minutes on 2 cores; tiny mode only proves the pipeline works end to end."""
    threads = os.cpu_count() or 1
    if tiny:
        return Settings(batch_size=64, steps=3, warmup=2, repeats=2, threads=threads)
    # 50 steps per repeat so the ~10 ms set-up of each Keras `fit` call adds only ~0.2 ms to a step.
    return Settings(batch_size=64, steps=50, warmup=10, repeats=7, threads=threads)


def per_step_ms(repeat_seconds: Sequence[float], steps: int) -> float:
    """Median over repeats of the time per step, in ms: the median ignores a repeat hit by a background process."""
    if steps < 1 or not repeat_seconds:
        raise ValueError("need at least one repeat of at least one step")
    return round(statistics.median(repeat_seconds) / steps * 1000, 3)


def time_steps(run_steps: Callable[[int], None], settings: Settings) -> float:
    """Warm up (tracing, allocator, caches), then time `repeats` runs of `steps` steps; returns ms per step."""
    run_steps(settings.warmup)
    totals = []
    for _ in range(settings.repeats):
        started = time.perf_counter()
        run_steps(settings.steps)
        totals.append(time.perf_counter() - started)
    return per_step_ms(totals, settings.steps)


def synthetic_batch(workload: str, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """One fixed-seed batch shared by both frameworks: images are NHWC (Keras' layout), labels are class ids."""
    rng = np.random.default_rng(SEED)
    shape = (batch_size, 784) if workload == "mlp" else (batch_size, 28, 28, 1)
    return rng.standard_normal(shape, dtype=np.float32), rng.integers(0, NUM_CLASSES, batch_size, dtype=np.int64)


def _check_finite(loss: float, framework: str, workload: str) -> None:
    # A diverged model computes on NaNs and infinities, whose speed says nothing about normal training.
    if not math.isfinite(loss):
        raise RuntimeError(f"{framework} {workload}: loss is {loss} after training; timings would be meaningless")


def _pytorch_workload(workload: str, settings: Settings) -> dict[str, Any]:
    """The plain PyTorch loop: zero_grad, forward, loss, backward, step; inference in eval mode without gradients."""
    import torch
    from torch import nn

    x_np, y_np = synthetic_batch(workload, settings.batch_size)
    if workload == "mlp":
        model = nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, NUM_CLASSES)
        )
    else:
        # Same values as the Keras batch, moved to NCHW, PyTorch's native layout.
        x_np = np.ascontiguousarray(x_np.transpose(0, 3, 1, 2))
        model = nn.Sequential(
            nn.Conv2d(1, 16, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 5 * 5, NUM_CLASSES),
        )
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()

    def train(steps: int) -> None:
        model.train()
        for _ in range(steps):
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()

    def infer(steps: int) -> None:
        model.eval()
        with torch.no_grad():
            for _ in range(steps):
                model(x)

    train_ms = time_steps(train, settings)
    inference_ms = time_steps(infer, settings)
    with torch.no_grad():
        _check_finite(loss_fn(model(x), y).item(), "pytorch", workload)
    return {"workload": workload, "train_step_ms": train_ms, "inference_batch_ms": inference_ms}


def measure_pytorch(settings: Settings) -> dict[str, Any]:
    """All workloads in PyTorch, its intra-op pool set to `settings.threads`."""
    import torch

    torch.set_num_threads(settings.threads)
    torch.manual_seed(SEED)
    results = [_pytorch_workload(workload, settings) for workload in WORKLOADS]
    return {"version": torch.__version__, "threads": torch.get_num_threads(), "results": results}


def _keras_workload(workload: str, settings: Settings) -> dict[str, Any]:
    """tf.keras in its default, compiled (graph) mode: training with `fit`, inference with a compiled forward pass.

    Training uses `fit(steps_per_epoch=steps)` rather than `train_on_batch`: in TF 2.12 every `train_on_batch` call
    builds a new one-batch tf.data iterator, ~8 ms of overhead per step here that no real training loop pays, which
    would make the MLP comparison mostly a measure of that call. `fit` runs the same compiled step in its own loop,
    like the PyTorch loop; its set-up (~10 ms per call) is shared by all `steps` steps of a repeat.
    Inference calls `model(x, training=False)` inside a tf.function, the graph Keras' own `predict` runs, so training
    and inference both measure Keras' compiled path (as both measure PyTorch's default eager path). Called eagerly it
    is ~4x slower on the CNN here, slower than a whole training step; `predict_on_batch` also builds an iterator per
    call (~8 ms).
    """
    import tensorflow as tf

    layers = tf.keras.layers
    x_np, y_np = synthetic_batch(workload, settings.batch_size)
    if workload == "mlp":
        model = tf.keras.Sequential(
            [
                tf.keras.Input((784,)),
                layers.Dense(256, activation="relu"),
                layers.Dense(128, activation="relu"),
                layers.Dense(NUM_CLASSES),
            ]
        )
    else:
        model = tf.keras.Sequential(
            [
                tf.keras.Input((28, 28, 1)),
                layers.Conv2D(16, 3, activation="relu"),
                layers.MaxPooling2D(),
                layers.Conv2D(32, 3, activation="relu"),
                layers.MaxPooling2D(),
                layers.Flatten(),
                layers.Dense(NUM_CLASSES),
            ]
        )
    # Logits plus a fused softmax cross-entropy: the same computation as nn.CrossEntropyLoss on logits.
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=LEARNING_RATE), loss=loss_fn)
    x, y = tf.constant(x_np), tf.constant(y_np)
    # The one batch repeated, already in memory as tensors, as the PyTorch loop reuses its tensors.
    dataset = tf.data.Dataset.from_tensors((x, y)).repeat()

    def train(steps: int) -> None:
        model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)

    @tf.function
    def forward(batch: tf.Tensor) -> tf.Tensor:
        return model(batch, training=False)

    def infer(steps: int) -> None:
        for _ in range(steps):
            forward(x)

    train_ms = time_steps(train, settings)
    inference_ms = time_steps(infer, settings)
    _check_finite(float(loss_fn(y, forward(x))), "keras", workload)
    return {"workload": workload, "train_step_ms": train_ms, "inference_batch_ms": inference_ms}


def measure_keras(settings: Settings) -> dict[str, Any]:
    """All workloads in tf.keras; intra-op pools get all cores, as PyTorch's does; inter-op pools keep defaults."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(settings.threads)
    tf.keras.utils.set_random_seed(SEED)
    results = [_keras_workload(workload, settings) for workload in WORKLOADS]
    threads = tf.config.threading.get_intra_op_parallelism_threads()
    return {"version": tf.__version__, "threads": threads, "results": results}


MEASURERS: dict[str, Callable[[Settings], dict[str, Any]]] = {"pytorch": measure_pytorch, "keras": measure_keras}


def run_worker(framework: str, settings: Settings) -> None:
    """Measure one framework and print its JSON as the last stdout line; library chatter goes to stderr."""
    with contextlib.redirect_stdout(sys.stderr):
        report = MEASURERS[framework](settings)
    print(json.dumps(report))


def spawn_worker(framework: str, tiny: bool) -> dict[str, Any]:
    """Run one worker in a fresh interpreter and return its report; fails loudly with the worker's stderr."""
    command = [sys.executable, "-m", "knowledge.measure", "--worker", framework] + (["--tiny"] if tiny else [])
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ}  # TensorFlow's own variable, passed on
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT_SECONDS, check=False
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"{framework} worker failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


def cpu_model(cpuinfo: str) -> str:
    """The first 'model name' of /proc/cpuinfo text, which names the CPU better than platform.processor()."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or "unknown"


def hardware() -> dict[str, Any]:
    """What the figures depend on besides the code: CPU, core count, memory, architecture and OS."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        cpuinfo = ""
    try:
        memory_gb: float | None = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1)
    except (ValueError, OSError, AttributeError):
        memory_gb = None
    return {
        "cpu": cpu_model(cpuinfo),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "machine": platform.machine(),
        "os": platform.platform(),
    }


def collect(tiny: bool) -> dict[str, Any]:
    """Run the workers one after the other (never in parallel: they would compete for the same cores)."""
    settings = settings_for(tiny)
    reports = {}
    for framework in FRAMEWORKS:
        print(f"measuring {framework} ...", file=sys.stderr, flush=True)
        reports[framework] = spawn_worker(framework, tiny)
        if reports[framework]["threads"] != settings.threads:
            raise RuntimeError(f"{framework} ran with {reports[framework]['threads']} threads, not {settings.threads}")
    by_workload = {
        (framework, row["workload"]): row for framework, report in reports.items() for row in report["results"]
    }
    results = [
        {"framework": framework, **by_workload[framework, workload]}
        for workload in WORKLOADS
        for framework in FRAMEWORKS
    ]
    return {
        "measured_on": dt.date.today().isoformat(),
        "hardware": hardware(),
        "versions": {
            "python": platform.python_version(),
            "torch": reports["pytorch"]["version"],
            "tensorflow": reports["keras"]["version"],
        },
        "settings": asdict(settings),
        "results": results,
    }


def table(measurements: dict[str, Any]) -> str:
    """A short plain-text table of the results, for people reading the terminal."""
    lines = [f"{'workload':<9}{'framework':<11}{'train step (ms)':>17}{'inference batch (ms)':>22}"]
    for row in measurements["results"]:
        lines.append(
            f"{row['workload']:<9}{row['framework']:<11}{row['train_step_ms']:>17.3f}{row['inference_batch_ms']:>22.3f}"
        )
    return "\n".join(lines)


def cpu_seconds() -> tuple[float, float] | None:
    """CPU seconds used so far by the whole machine (/proc/stat, counting hypervisor steal) and by this process tree."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text(encoding="utf-8").split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    machine = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    own = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    return machine, own


def background_share(machine_seconds: float, own_seconds: float, wall_seconds: float, cores: int) -> float:
    """The share of the machine's CPU capacity that other processes used while we measured, between 0 and 1."""
    if wall_seconds <= 0 or cores < 1:
        raise ValueError("need a positive duration and core count")
    return min(1.0, max(0.0, (machine_seconds - own_seconds) / (wall_seconds * cores)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--tiny", action="store_true", help="a few steps only, to check the pipeline quickly")
    parser.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.worker, settings_for(args.tiny))
        return 0
    # Other processes matter: on a busy core PyTorch's OpenMP threads wait for each other, often several-fold slower.
    started, cpu_before = time.perf_counter(), cpu_seconds()
    measurements = collect(args.tiny)
    wall, cpu_after = time.perf_counter() - started, cpu_seconds()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(measurements, indent=1) + "\n", encoding="utf-8")
    settings = measurements["settings"]
    print(
        f"batch {settings['batch_size']}, {settings['repeats']} repeats of {settings['steps']} steps "
        f"after {settings['warmup']} warm-up steps, {settings['threads']} threads; medians:"
    )
    print(table(measurements))
    if cpu_before and cpu_after:
        share = background_share(cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1], wall, os.cpu_count() or 1)
        warning = "; the figures are probably skewed, measure again on an idle machine" if share > 0.1 else ""
        print(f"other processes used {share:.0%} of the CPU while measuring{warning}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
