"""Fixes that let Rasa 3.6's pinned libraries run on Python 3.11 (Rasa officially stops at 3.10).

Applied by bot/rasa_cli.py before Rasa starts; each fix is small, named and says what it repairs.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Iterable
from typing import Any


class _AsyncioWaitingOnTasks(types.ModuleType):
    """`asyncio` as Python 3.10 behaved: `wait` accepts bare coroutines and runs each as a task."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def wait(awaitables: Iterable[Any], **kwargs: Any) -> tuple[set[asyncio.Future], set[asyncio.Future]]:
        return await asyncio.wait([asyncio.ensure_future(awaitable) for awaitable in awaitables], **kwargs)


def let_sanic_websockets_receive() -> None:
    """Sanic 21.12 (Rasa's pin) hands a coroutine to `asyncio.wait` when a WebSocket receives, which Python 3.11
    refuses: every WebSocket (the widget's socket.io connection) then closes right after opening. Sanic 22 wraps
    it in a task; this gives Sanic 21.12's WebSocket module an `asyncio` that does the same."""
    from sanic.server.websockets import impl

    if not isinstance(impl.asyncio, _AsyncioWaitingOnTasks):
        impl.asyncio = _AsyncioWaitingOnTasks("asyncio")


def apply() -> None:
    let_sanic_websockets_receive()
