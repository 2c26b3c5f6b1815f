"""The guarded turn, written once for every channel: check the message, refuse it politely, or hand it to Rasa,
log a failure, and apologise when the turn sent nothing (the action server down or too slow).

A channel keeps only its transport: how it says its own words (`say`), what it sends Rasa's replies through
(`output`), and how many replies went out (`sent`). REST screens a message before it opens its response (a
refusal over the rate limit is a 429), so the two steps are separate calls; `guarded_turn` does both.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.guard import InputGuard, Verdict
from bot.channels.replies import channel_says, refusal

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Say = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Turn:
    """One user message of one channel: who sent it, to which agent, with what metadata for Rasa."""

    channel: str  # the input channel's name, as Rasa records it
    agent: Any
    sender_id: str
    metadata: dict[str, Any] | None = None

    async def screen(self, guard: InputGuard, text: Any) -> tuple[Verdict, str | None]:
        """The guard's verdict, and the polite refusal in the sender's language when it turned the message down."""
        verdict = guard.check(self.sender_id, text)
        if verdict.accepted:
            return verdict, None
        return verdict, await refusal(self.agent, self.sender_id, verdict, text, self.metadata)

    async def hand_to_rasa(
        self,
        on_new_message: OnNewMessage,
        text: str,
        output: OutputChannel,
        sent: Callable[[], int],
        apologise: Say | None,
    ) -> None:
        """Rasa's turn on the accepted text; a failure is logged, never raised, and when nothing was sent the
        apology goes out through `apologise` (None: this turn asks for no reply, e.g. a rating)."""
        message = UserMessage(text, output, self.sender_id, input_channel=self.channel, metadata=self.metadata)
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("The %s message of sender %s could not be handled", self.channel, self.sender_id)
        if apologise is not None and not sent():
            logger.warning(
                "No reply for %s sender %s (is the action server up?); sent the apology", self.channel, self.sender_id
            )
            await apologise(await channel_says("unavailable", self.agent, self.sender_id, self.metadata, text))


async def guarded_turn(
    turn: Turn,
    guard: InputGuard,
    text: Any,
    on_new_message: OnNewMessage,
    output: OutputChannel,
    sent: Callable[[], int],
    say: Say,
    before: Callable[[str], Awaitable[None]] | None = None,
    apologise: bool = True,
) -> Verdict:
    """The whole turn: a refusal said through `say`, or `before(text)` (e.g. a "thinking…" status) and Rasa's
    turn, with the apology through `say` when nothing was sent and `apologise` is on."""
    verdict, said = await turn.screen(guard, text)
    if said is not None:
        await say(said)
        return verdict
    accepted = verdict.text or ""
    if before is not None:
        await before(accepted)
    await turn.hand_to_rasa(on_new_message, accepted, output, sent, say if apologise else None)
    return verdict
