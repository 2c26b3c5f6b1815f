"""Rasa's own starting point, the baseline we compare against: what `rasa init` writes.

The files come straight from the installed Rasa package (`rasa init` copies the same folder), so the
baseline changes only when Rasa does. `rasa init`'s config.yml leaves the pipeline and policies empty:
Rasa then fills in its default configuration (rasa/engine/recipes/config_files/default_config.yml).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import yaml


def rasa_package() -> Path:
    spec = importlib.util.find_spec("rasa")  # finds the package without importing it (Rasa's import takes seconds)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("Rasa is not installed in this Python: run `make setup`.")
    return Path(next(iter(spec.submodule_search_locations)))


def init_project() -> Path:
    """The folder `rasa init` copies into a new project."""
    return rasa_package() / "cli" / "initial_project"


def default_config() -> Path:
    """The pipeline and policies Rasa uses when config.yml names none (as `rasa init`'s does)."""
    return rasa_package() / "engine" / "recipes" / "config_files" / "default_config.yml"


def with_epochs(config: dict[str, Any], epochs: int) -> dict[str, Any]:
    """The same configuration with every trained component limited to `epochs` (for tiny test runs)."""
    for section in ("pipeline", "policies"):
        for component in config.get(section) or []:
            if "epochs" in component:
                component["epochs"] = epochs
    return config


def write_config(source: Path, destination: Path, epochs: int | None = None) -> Path:
    """Copy a Rasa config (Rasa rewrites the comments of the file it trains with); optionally fewer epochs."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if epochs is None:
        shutil.copyfile(source, destination)
    else:
        config = with_epochs(yaml.safe_load(source.read_text(encoding="utf-8")), epochs)
        destination.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return destination


def baseline_config(destination: Path, epochs: int | None = None) -> Path:
    """`rasa init`'s config.yml; with `epochs`, Rasa's default configuration written out with fewer epochs."""
    if epochs is None:
        return write_config(init_project() / "config.yml", destination)
    return write_config(default_config(), destination, epochs)


def create_init_bot(destination: Path, epochs: int | None = None) -> Path:
    """A fresh `rasa init` project (untouched, without the model `rasa init` would train at once)."""
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(init_project(), destination)
    if epochs is not None:
        baseline_config(destination / "config.yml", epochs)
    return destination
