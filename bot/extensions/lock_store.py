"""Rasa's Redis lock store with its tickets made safe across servers that can die.

Written for Rasa 3.6 (rasa.core.lock_store.RedisLockStore, rasa.core.lock.TicketLock); a subclass, not a patch.

Two faults of Rasa 3.6's store:

- It issues a ticket by reading the conversation's lock from Redis, adding the ticket and writing it back. Two
  Rasa servers doing that at once for the same conversation both read the old lock and one ticket is lost: both
  messages are then processed at the same time and one of them can vanish from the tracker (seen in
  tests/cluster). Here every read-modify-write of a lock holds a short Redis mutex.
- A ticket expires a fixed time after it was *issued*, whether its owner is waiting, working or dead. When a
  server dies holding a conversation, the messages queued behind it wait for its ticket to run out, and by then
  their own tickets have nearly run out too: the next message starts while the one before is still being
  processed, and the two trackers overwrite each other (shown by the queued-message test of tests/cluster, which
  fails with Rasa's tickets; first suspected behind a CI failure of the kill test, which was never reproduced here
  and recurred after this fix: see docs/quality.md). Here a ticket lives as long as its
  owner says so: the owner renews it every few seconds while it waits and while it works, so only a dead owner's
  ticket expires, `TICKET_SECONDS` after its last sign of life.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError
from redis.lock import Lock

logger = logging.getLogger(__name__)

MUTEX_SECONDS = 10
# How long a conversation stays blocked by a server that died holding it. The owner renews every third of it, so
# an event loop would have to stall for two thirds of it before a live owner lost its place. It replaces Rasa's
# lifetime (TICKET_LOCK_LIFETIME, 60 s from the ticket's issue); a live owner's time is bounded by the action
# server's timeout (bot/launch/cluster.py: 30 s behind nginx) instead.
TICKET_SECONDS = 15.0


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = dict(endpoint_config.kwargs)
        self.ticket_seconds = float(settings.pop("ticket_seconds", TICKET_SECONDS))
        super().__init__(host=endpoint_config.url, **settings)

    def _mutex(self, conversation_id: str) -> Lock:
        return self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}", timeout=MUTEX_SECONDS, blocking_timeout=MUTEX_SECONDS
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float | None = None) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, self.ticket_seconds)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)

    def renew(self, conversation_id: str, ticket_number: int) -> TicketLock | None:
        """Moves the ticket's expiry to `ticket_seconds` from now and drops the expired tickets of others; None
        when the ticket is gone (it expired: its owner was silent for longer than `ticket_seconds`)."""
        with self._mutex(conversation_id):
            lock = self.get_lock(conversation_id)
            if lock is None:
                return None
            lock.remove_expired_tickets()
            ticket = next((t for t in lock.tickets if t.number == ticket_number), None)
            if ticket is None:
                return None
            ticket.expires = time.time() + self.ticket_seconds
            self.save_lock(lock)
            return lock

    async def _keep_alive(self, conversation_id: str, ticket_number: int) -> None:
        while True:
            await asyncio.sleep(self.ticket_seconds / 3)
            try:
                self.renew(conversation_id, ticket_number)
            except RedisError as error:  # the next renewal may reach it; the message goes on meanwhile
                logger.warning("Could not renew the lock of conversation '%s': %s", conversation_id, error)

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = self.renew(conversation_id, ticket)
            if lock is None:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float | None = None, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        """Rasa's lock, held by a ticket that is renewed while its message waits and while it is processed."""
        ticket = self.issue_ticket(conversation_id)
        keeper = asyncio.get_running_loop().create_task(self._keep_alive(conversation_id, ticket))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)
