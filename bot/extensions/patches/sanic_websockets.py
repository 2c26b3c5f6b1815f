"""Sanic 21.12's WebSockets on Python 3.11: `asyncio.wait` given tasks, not bare coroutines."""

from __future__ import annotations

import asyncio
import types
from collections.abc import Iterable
from typing import Any

from bot.extensions.patches.registry import Patch


class _AsyncioWaitingOnTasks(types.ModuleType):
    """`asyncio` as Python 3.10 behaved: `wait` accepts bare coroutines and runs each as a task."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def wait(awaitables: Iterable[Any], **kwargs: Any) -> tuple[set[asyncio.Future], set[asyncio.Future]]:
        return await asyncio.wait([asyncio.ensure_future(awaitable) for awaitable in awaitables], **kwargs)


def apply() -> None:
    """Sanic 21.12 (Rasa's pin) hands a coroutine to `asyncio.wait` when a WebSocket receives, which Python 3.11
    refuses: every WebSocket (the widget's socket.io connection) then closes right after opening. Sanic 22 wraps
    it in a task; this gives Sanic 21.12's WebSocket module an `asyncio` that does the same."""
    from sanic.server.websockets import impl

    if not isinstance(impl.asyncio, _AsyncioWaitingOnTasks):
        impl.asyncio = _AsyncioWaitingOnTasks("asyncio")


PATCH = Patch(
    __name__,
    "sanic",
    "21.12.2",
    {
        "sanic.server.websockets.impl:WebsocketImplProtocol.recv": "7e24981d29951740",
        "sanic.server.websockets.impl:WebsocketImplProtocol.recv_burst": "e86bcebdbe2b6b2d",
    },
    apply,
)
