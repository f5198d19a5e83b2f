"""MatrixChat: the `Chat` port on Matrix. Notices in the thread or as replies; private answers in
a direct room with the asker; long answers as a Markdown file; idempotent transaction ids."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.adapters.matrix.crypto import ENCRYPTION_STATE, Sealer
from bot.adapters.matrix.http import MEDIA_V3, MatrixHttp, MatrixUnreachable, segment
from bot.adapters.matrix.render import notice_content, permalink
from bot.adapters.matrix.roomstate import RoomStates
from bot.i18n import Translator
from bot.messages import Attachment, Conversation
from bot.ports import Clock
from bot.storage import Storage
from bot.text import plain

log = logging.getLogger(__name__)

LONG_ANSWER = 12_000  # characters: beyond this a private answer goes as a Markdown file
SEND_ATTEMPTS = 3  # a timed-out send is repeated with the same transaction id: no duplicate
MAX_CONCURRENT_SENDS = 4  # acknowledgements of a large catch-up must not flood the server


class MatrixChat:
    def __init__(self, http: MatrixHttp, storage: Storage, clock: Clock, tr: Translator,
                 bot_user: Callable[[], str], rooms: RoomStates) -> None:
        self._http = http
        self._storage = storage
        self._clock = clock
        self._tr = tr
        self._bot_user = bot_user
        self._rooms = rooms
        self._sends = asyncio.Semaphore(MAX_CONCURRENT_SENDS)
        self._dm_lock = asyncio.Lock()
        self._quiet: set[str] = set()
        self.sealer: Sealer | None = None  # set when end-to-end encryption is on

    async def send(self, where: Conversation, text: str, *, reply_to: str | None = None,
                   idempotency_key: str | None = None) -> str:
        content = notice_content(text, reply_to=reply_to, thread_id=where.thread_id)
        if idempotency_key is None and reply_to is not None:
            # An answer to one command: the same answer twice is the same event.
            idempotency_key = f"reply:{reply_to}:{_digest(text)}"
        return await self.send_event(where.id, "m.room.message", content, idempotency_key)

    async def send_private(self, where: Conversation, user_id: str, text: str, *,
                           reply_to: str | None = None, answer_to: str | None = None
                           ) -> str | None:
        room_id = await self.direct_room(user_id, encrypted=self._sealed(where.id))
        if len(text) > LONG_ANSWER:
            stamp = f"{self._clock.now():%Y%m%d-%H%M}"
            attachment = Attachment(f"plenary-{stamp}.md", text.encode("utf-8"), "text/markdown")
            event_id = await self._send_file_to(room_id, attachment, self._tr("matrix.long_answer"))
        else:
            event_id = await self.send_event(room_id, "m.room.message", notice_content(text))
        await self._say_where_it_went(where, room_id, user_id, reply_to)
        return event_id

    async def send_file(self, where: Conversation, user_id: str, attachment: Attachment,
                        text: str, *, reply_to: str | None = None,
                        answer_to: str | None = None) -> str | None:
        room_id = await self.direct_room(user_id, encrypted=self._sealed(where.id))
        event_id = await self._send_file_to(room_id, attachment, text)
        await self._say_where_it_went(where, room_id, user_id, reply_to)
        return event_id

    @contextmanager
    def quietly(self, message_ids: Iterable[str]) -> Iterator[None]:
        """No acknowledgement reactions on these messages (past messages being backfilled)."""
        ids = set(message_ids)
        self._quiet |= ids
        try:
            yield
        finally:
            self._quiet -= ids

    async def react(self, where: Conversation, message_id: str, reaction: str) -> None:
        if message_id in self._quiet:
            return
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": message_id,
                                    "key": reaction}}
        await self.send_event(where.id, "m.reaction", content, f"react:{message_id}:{reaction}")

    async def permalink(self, where: Conversation, message_id: str) -> str | None:
        return permalink(where.id, message_id)

    async def message_id_named(self, where: Conversation, word: str) -> str | None:
        return None  # people name messages by their links

    async def send_event(self, room_id: str, event_type: str, content: dict[str, Any],
                         idempotency_key: str | None = None) -> str:
        """PUT one event. The transaction id is chosen once, so every retry of this send
        (rate limit, timeout) is the same transaction and the server posts it at most once."""
        txn = "pl." + (_digest(f"{room_id}\0{idempotency_key}") if idempotency_key
                       else uuid.uuid4().hex)
        if self.sealer is not None:  # sealed once: every retry sends the same ciphertext
            event_type, content = await self.sealer.seal(room_id, event_type, content)
        path = f"/rooms/{segment(room_id)}/send/{segment(event_type)}/{txn}"
        async with self._sends:
            for attempt in range(1, SEND_ATTEMPTS + 1):
                try:
                    answer = await self._http.request("PUT", path, content)
                    break
                except MatrixUnreachable:
                    if attempt == SEND_ATTEMPTS:
                        raise
                    log.warning("send to %s timed out; repeating transaction %s", room_id, txn)
        event_id = answer.get("event_id")
        return event_id if isinstance(event_id, str) else ""

    def _sealed(self, room_id: str) -> bool:
        return self.sealer is not None and self.sealer.seals(room_id)

    async def direct_room(self, user_id: str, *, encrypted: bool = False) -> str:
        """The direct room with `user_id`, created once and remembered in the database;
        `encrypted` (asked from an encrypted room): it is, or is made, end-to-end encrypted."""
        key = f"matrix:{self._bot_user()}:dm:{user_id}"
        async with self._dm_lock:
            room_id = await self._storage.get_state(key)
            known = self._rooms.known(room_id) if room_id else None
            if room_id and (known is None or known.membership.get(user_id) != "leave"):
                if encrypted and not (known and known.encrypted):
                    await self._http.request(
                        "PUT", f"/rooms/{segment(room_id)}/state/m.room.encryption/",
                        ENCRYPTION_STATE["content"])
                    self._rooms.get(room_id).encrypted = True
                return room_id
            options: dict[str, Any] = {"is_direct": True, "invite": [user_id],
                                       "preset": "trusted_private_chat"}
            if encrypted:
                options["initial_state"] = [ENCRYPTION_STATE]
            created = await self._http.request("POST", "/createRoom", options)
            room_id = str(created["room_id"])
            self._rooms.get(room_id).encrypted = encrypted
            await self._storage.set_state(key, room_id, self._clock.now())
            return room_id

    async def _send_file_to(self, room_id: str, attachment: Attachment, caption: str) -> str:
        data, keys = attachment.content, None
        if self.sealer is not None and self.sealer.seals(room_id):
            data, keys = self.sealer.seal_file(data)  # the server sees only ciphertext
        uploaded = await self._http.request(
            "POST", "/upload", base=MEDIA_V3, raw=data,
            content_type="application/octet-stream" if keys else attachment.mime_type,
            query={"filename": attachment.filename})
        await self.send_event(room_id, "m.room.message", notice_content(caption))
        where: dict[str, Any] = ({"file": {**keys, "url": uploaded["content_uri"]}} if keys
                                 else {"url": uploaded["content_uri"]})
        return await self.send_event(room_id, "m.room.message", {
            "msgtype": "m.file", "body": attachment.filename, "filename": attachment.filename,
            **where,
            "info": {"mimetype": attachment.mime_type, "size": len(attachment.content)},
            "m.mentions": {},
        })

    async def _say_where_it_went(self, where: Conversation, room_id: str, user_id: str,
                                 reply_to: str | None) -> None:
        if where.id == room_id:
            return
        known = self._rooms.known(where.id)
        name = (known.display_names.get(user_id) if known else None) or user_id
        await self.send(where, self._tr("matrix.sent_privately", name=plain(name)),
                        reply_to=reply_to)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

