"""Reading encrypted rooms during a sync: decrypt what we can, keep the rest as pending,
and read the pending ones once their keys arrive."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from bot.adapters.matrix.crypto import ENCRYPTED, MatrixCrypto
from bot.adapters.matrix.pending import Pending, PendingEvents
from bot.ports import Clock

log = logging.getLogger(__name__)

# A key usually arrives within seconds of its message; staff hear of those that did not.
UNREADABLE_AFTER = timedelta(minutes=10)


class EncryptedRooms:
    def __init__(self, crypto: MatrixCrypto, pending: PendingEvents, clock: Clock) -> None:
        self.crypto = crypto
        self.pending = pending
        self._clock = clock
        self._ask: list[tuple[str, dict[str, Any]]] = []  # keys to request after the commit
        self._retry_all = True  # at start: keys may have come while the events were kept
        self.unreadable_after = UNREADABLE_AFTER

    async def load(self) -> None:
        """The events kept before a restart; their keys are asked for again."""
        await self.pending.load()
        self._ask = [(item.room_id, item.raw) for item in self.pending.waiting()]

    @property
    def readable(self) -> bool:
        return self.crypto.ready

    def begin(self, response: Mapping[str, Any]) -> None:
        """The crypto parts of a sync first: a room key may come with its first message."""
        if self.crypto.absorb(response):
            self._retry_all = True

    def open_events(self, room_id: str, events: Iterable[dict[str, Any]], me: str
                    ) -> list[dict[str, Any]]:
        """`events` with encrypted ones decrypted; those we cannot decrypt are kept aside."""
        out: list[dict[str, Any]] = []
        for raw in events:
            if raw.get("type") == ENCRYPTED and raw.get("sender") != me:
                clear = self.crypto.decrypt(room_id, raw)
                if clear is None:
                    if self.pending.add(room_id, raw):
                        log.info("cannot decrypt %s in %s yet: kept until its key comes",
                                 raw.get("event_id"), room_id)
                        self._ask.append((room_id, raw))
                    continue
                raw = clear
            out.append(raw)
        return out

    def decryptable(self) -> list[tuple[Pending, dict[str, Any]]]:
        """Kept events whose key has arrived, oldest first, with their decrypted form."""
        if not self._retry_all or not len(self.pending):
            return []
        found = []
        for item in self.pending.waiting():
            clear = self.crypto.decrypt(item.room_id, item.raw)
            if clear is not None:
                found.append((item, clear))
        return found

    def forget(self, event_ids: Iterable[str]) -> None:
        """Read at last, or redacted: no longer pending."""
        self.pending.resolve(event_ids)

    async def commit(self) -> None:
        """Before the sync token moves: the pending list is durable. (A batch that failed
        never gets here, so what it read late is tried again with the next sync.)"""
        await self.pending.save()
        self._retry_all = False

    async def after_commit(self) -> None:
        """Network work that must not hold the batch: keys, device lists, key requests."""
        try:
            await self.crypto.settle()
        except Exception as exc:
            log.warning("encryption upkeep failed (%s: %s); retried after the next sync",
                        type(exc).__name__, exc)
        ask, self._ask = self._ask, []
        for room_id, raw in ask:
            await self.crypto.request_key(room_id, raw)

    def unreadable(self) -> int:
        return self.pending.unreadable(self._clock.now() - self.unreadable_after)
