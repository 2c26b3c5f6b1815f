"""The loaded model's objects out of the garbage collector's walks (gc.freeze once the model is loaded)."""

from __future__ import annotations

import gc
from typing import Any

from bot.extensions.patches.registry import Patch


def apply() -> None:
    """With the model loaded, the Rasa server holds about half a million objects the garbage collector tracks
    (TensorFlow's, spaCy's, the graph's), and each full collection walked them all: 320-520 ms, 20 times in one
    400-message conversation, more often the longer it got (timed with `gc.callbacks`; every message over
    300 ms contained one). Once the model is loaded, those objects are moved out of the collector's reach
    (`gc.freeze`), so collections walk only what later messages created (a full one took 0 ms instead of
    ~310 ms right after loading). Frozen objects are never freed, which is what a model held for the server's
    lifetime needs."""
    import rasa.core.run

    if getattr(rasa.core.run.load_agent_on_start, "freezes", False):
        return
    load_agent_on_start = rasa.core.run.load_agent_on_start

    async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent_on_start(*args, **kwargs)
        gc.collect()  # what loading left behind is freed, not frozen
        gc.freeze()
        return agent

    load_agent_then_freeze.freezes = True  # type: ignore[attr-defined]
    rasa.core.run.load_agent_on_start = load_agent_then_freeze


PATCH = Patch(__name__, "rasa", "3.6.21", {"rasa.core.run:load_agent_on_start": "b23e12447febeb64"}, apply)
