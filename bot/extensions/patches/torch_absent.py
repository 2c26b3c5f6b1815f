"""spaCy's thinc imports PyTorch whenever it is installed; this bot's Rasa server never uses it."""

from __future__ import annotations

import sys

from bot.extensions.patches.registry import Patch


def apply() -> None:
    """spaCy's thinc imports PyTorch whenever it is installed (it is, for the code snippets), though neither
    Rasa nor this bot's spaCy pipelines use it: 180 MB and ~2 s of every Rasa start here. Marking it absent
    makes thinc take its no-PyTorch path."""
    if "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` now raises ImportError


PATCH = Patch(__name__, "thinc", "8.1.12", {"thinc.compat": "e4ce073417f9539e"}, apply)
