"""limits' in-memory rate-limit counters, swept of expired entries once a second instead of 10 ms after every
hit. Not applied globally: bot/channels/guard.py uses this storage for its counters when there is no Redis."""

from __future__ import annotations

import threading

from limits import storage

from bot.extensions.patches.registry import Patch


class SweptMemoryStorage(storage.MemoryStorage):
    """limits 2.4 (the version Rasa's pins allow) starts a thread 10 ms after each hit that walks every sender's
    entries under their locks: ~10% of the Rasa server's time at 40 messages a second (py-spy during
    `make bench`). Every check compares times itself, so an expired entry that is not swept yet never
    counts; sweeping only frees memory."""

    SWEEP_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the base class's private scheduler
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


def apply() -> None:
    """Nothing to apply: the guard constructs SweptMemoryStorage itself."""


PATCH = Patch(
    __name__,
    "limits",
    "2.4.0",
    {
        "limits.storage.memory:MemoryStorage._MemoryStorage__schedule_expiry": "a51863d88ef4b924",
        "limits.storage.memory:MemoryStorage._MemoryStorage__expire_events": "2fdc06f0dde72701",
    },
    apply,
)
