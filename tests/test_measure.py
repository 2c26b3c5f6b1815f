"""The speed measurement: the shape of what it writes (never its figures: they depend on the machine) and helpers."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from importlib.metadata import version
from typing import Any

import pytest

from knowledge.measure import FRAMEWORKS, WORKLOADS, background_share, cpu_model, per_step_ms
from knowledge.paths import ROOT


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("measure") / "nested" / "measurements.json"
    result = subprocess.run(
        [sys.executable, "-m", "knowledge.measure", "--tiny", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), result.stdout


def test_output_has_the_documented_keys(tiny_run: tuple[dict[str, Any], str]) -> None:
    measurements, _ = tiny_run
    assert set(measurements) == {"measured_on", "hardware", "versions", "settings", "results"}
    assert set(measurements["hardware"]) == {"cpu", "cores", "memory_gb", "machine", "os"}
    assert set(measurements["settings"]) == {"batch_size", "steps", "warmup", "repeats", "threads"}
    assert measurements["settings"]["threads"] == os.cpu_count()


def test_every_framework_and_workload_has_positive_finite_figures(tiny_run: tuple[dict[str, Any], str]) -> None:
    measurements, _ = tiny_run
    pairs = [(row["framework"], row["workload"]) for row in measurements["results"]]
    assert pairs == [(framework, workload) for workload in WORKLOADS for framework in FRAMEWORKS]
    for row in measurements["results"]:
        assert set(row) == {"framework", "workload", "train_step_ms", "inference_batch_ms"}
        for key in ("train_step_ms", "inference_batch_ms"):
            assert isinstance(row[key], float) and math.isfinite(row[key]) and row[key] > 0, (row, key)


def test_versions_and_hardware_describe_this_machine(tiny_run: tuple[dict[str, Any], str]) -> None:
    measurements, stdout = tiny_run
    assert measurements["versions"] == {
        "python": platform.python_version(),
        "torch": version("torch"),
        "tensorflow": version("tensorflow"),
    }
    assert measurements["hardware"]["cores"] == os.cpu_count()
    assert measurements["hardware"]["cpu"]
    assert "written to" in stdout and "pytorch" in stdout and "keras" in stdout


def test_per_step_ms_is_the_median_repeat_divided_by_steps() -> None:
    # Mean would give 332 ms: one slow repeat (a background process) must not move the figure.
    assert per_step_ms([0.2, 9.0, 0.1, 0.3, 0.2], steps=100) == 2.0
    assert per_step_ms([1.0, 2.0, 3.0, 100.0], steps=1000) == 2.5
    assert per_step_ms([0.0012345678], steps=1) == 1.235


@pytest.mark.parametrize("repeats, steps", [([], 10), ([1.0], 0)])
def test_per_step_ms_rejects_empty_measurements(repeats: list[float], steps: int) -> None:
    with pytest.raises(ValueError):
        per_step_ms(repeats, steps)


def test_cpu_model_reads_the_first_model_name() -> None:
    cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6338\n\nmodel name\t: x\n"
    assert cpu_model(cpuinfo) == "Intel(R) Xeon(R) Gold 6338"
    assert cpu_model("processor\t: 0\n") == (platform.processor() or "unknown")


def test_background_share_subtracts_our_own_cpu_time() -> None:
    # 10 s on 2 cores = 20 CPU-seconds of capacity; we used 12 of the 17 the machine used, others the remaining 5.
    assert background_share(17.0, 12.0, 10.0, 2) == 0.25
    assert background_share(11.9, 12.0, 10.0, 2) == 0.0  # clock-tick rounding can make "others" slightly negative
    with pytest.raises(ValueError):
        background_share(1.0, 1.0, 0.0, 2)
