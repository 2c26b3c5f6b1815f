"""The Python 3.11 fixes for Rasa's pinned libraries (bot/compat.py)."""

from __future__ import annotations

import asyncio

from bot import compat


def test_sanic_websockets_get_an_asyncio_whose_wait_takes_coroutines():
    from sanic.server.websockets import impl

    compat.apply()

    async def receive() -> str:
        return "frame"

    async def race() -> str:
        cancel = asyncio.get_running_loop().create_future()
        done, pending = await impl.asyncio.wait((cancel, receive()), return_when=asyncio.FIRST_COMPLETED)
        cancel.cancel()
        return next(iter(done)).result()

    assert asyncio.run(race()) == "frame"
    assert impl.asyncio.Future is asyncio.Future  # everything else is the real asyncio
