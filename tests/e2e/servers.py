"""Start the real Rasa and action servers for an end-to-end test module, and stop them afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from bot import serve
from bot.terminal import is_ready

STARTUP_LIMIT_SECONDS = 240


@contextmanager
def running_servers(rasa_port: int, actions_port: int) -> Iterator[str]:
    """Yields the Rasa server's URL once both servers answer."""
    rasa = f"http://localhost:{rasa_port}"
    processes = serve.start(rasa_port, actions_port, log=True)
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
        while not is_ready(rasa, f"http://localhost:{actions_port}"):
            assert all(p.poll() is None for p in processes.values()), f"a server died; see {serve.LOG_DIR}"
            assert time.monotonic() < deadline, f"servers did not start in {STARTUP_LIMIT_SECONDS} s"
            time.sleep(1)
        yield rasa
    finally:
        serve.stop(processes)
