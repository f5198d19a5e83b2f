"""The neutral events read from one sync response (or a backfill), in order, handed to the core
as one batch; then the reaction records kept once those events are handled.

A Matrix redaction names only the event it removes: a reaction's redaction withdraws its tag,
so each reaction's target and key are remembered (`remember`). A redaction of a reaction of
the same batch is read from the batch itself, since its record is written only after.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

from bot.adapters.matrix.inbound import Reacted, Redacted
from bot.messages import Event, MessageDeleted, ReactionRemoved
from bot.storage import Storage


class SyncEvents:
    def __init__(self, storage: Storage, bot_user: str) -> None:
        self._storage = storage
        self._bot_user = bot_user
        self.events: list[Event] = []
        self._records: dict[str, tuple[str, datetime]] = {}  # state key → (value, at)

    def add(self, event: Event) -> None:
        self.events.append(event)

    def add_reaction(self, item: Reacted) -> None:
        self.events.append(item.event)
        # Only the target and the key: a redaction of this id withdraws exactly that tag.
        value = json.dumps({"message": item.event.message_id, "key": item.event.reaction})
        self._records[self._key(item.reaction_id)] = (value, item.event.reacted_at)

    async def add_redaction(self, item: Redacted) -> None:
        """A reaction's redaction withdraws the reaction; any other deletes its message."""
        key = self._key(item.redacts)
        kept = self._records.get(key)
        remembered = kept[0] if kept is not None else await self._storage.get_state(key)
        if not remembered:
            self.events.append(MessageDeleted(item.where, item.redacts, item.at))
            return
        reaction = json.loads(remembered)
        self.events.append(ReactionRemoved(item.where, reaction["message"], item.sender_id,
                                           reaction["key"], item.at))
        self._records[key] = ("", item.at)

    async def remember(self) -> None:
        """Write the reaction records (one group commit): after the events are handled."""
        records, self._records = self._records, {}
        await asyncio.gather(*(self._storage.set_state(key, value, at)
                               for key, (value, at) in records.items()))

    def _key(self, reaction_id: str) -> str:
        return f"matrix:{self._bot_user}:reaction:{reaction_id}"
