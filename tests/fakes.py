"""Test doubles of the ports (Chat, Clock) and the Harness that drives the real router."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.app import build_router
from bot.i18n import Translator
from bot.messages import (
    Attachment,
    Conversation,
    Event,
    IncomingMessage,
    MessageDeleted,
    MessageEdited,
    Outcome,
    ReactionAdded,
    ReactionRemoved,
)
from bot.services import AllowList, Services
from bot.settings import Settings
from bot.storage import Storage
from bot.workplan import WorkPlan


class FrozenClock:
    """Time stands still until a test moves it."""

    def __init__(self, at: datetime | str = "2019-10-01T12:00:00+00:00") -> None:
        self._now = _aware(at)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime | str) -> None:
        self._now = _aware(at)

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


def _aware(at: datetime | str) -> datetime:
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:
        raise ValueError("FrozenClock wants an aware time")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Sent:
    kind: str  # "send" | "private" | "file" | "react"
    where: Conversation
    text: str
    user_id: str | None = None
    reply_to: str | None = None
    attachment: Attachment | None = None
    key: str | None = None


@dataclass
class FakeChat:
    sent: list[Sent] = field(default_factory=list)
    fail_sends: bool = False

    async def send(self, where: Conversation, text: str, *, reply_to: str | None = None,
                   idempotency_key: str | None = None) -> str:
        if self.fail_sends:
            raise ConnectionError("chat platform unreachable")
        self.sent.append(Sent("send", where, text, reply_to=reply_to, key=idempotency_key))
        return f"bot-{len(self.sent)}"

    async def send_private(self, where: Conversation, user_id: str, text: str, *,
                           reply_to: str | None = None, answer_to: str | None = None
                           ) -> str | None:
        if self.fail_sends:
            raise ConnectionError("chat platform unreachable")
        self.sent.append(Sent("private", where, text, user_id=user_id))
        return f"bot-{len(self.sent)}"

    async def send_file(self, where: Conversation, user_id: str, attachment: Attachment,
                        text: str, *, reply_to: str | None = None,
                        answer_to: str | None = None) -> str | None:
        if self.fail_sends:
            raise ConnectionError("chat platform unreachable")
        self.sent.append(Sent("file", where, text, user_id=user_id, attachment=attachment))
        return f"bot-{len(self.sent)}"

    async def react(self, where: Conversation, message_id: str, reaction: str) -> None:
        self.sent.append(Sent("react", where, reaction, reply_to=message_id))

    async def permalink(self, where: Conversation, message_id: str) -> str | None:
        return f"https://chat.example/{where.id}/{message_id}"

    async def message_id_named(self, where: Conversation, word: str) -> str | None:
        return None


class Harness:
    """The real router, handlers and storage (SQLite), with a fake chat and a frozen clock."""

    def __init__(self, settings: Settings, plan: WorkPlan, storage: Storage,
                 clock: FrozenClock | None = None) -> None:
        self.settings = settings
        self.plan = plan
        self.storage = storage
        self.clock = clock or FrozenClock()
        self.chat = FakeChat()
        self.room = Conversation("test", "room-1", name="general")
        self.svc = Services(settings=settings, plan=plan, storage=storage, chat=self.chat,
                            clock=self.clock, staff=AllowList(settings.staff),
                            tr=Translator(settings.locale))
        self.router = build_router(self.svc)
        self._count = 0

    @property
    def sent(self) -> list[Sent]:
        return self.chat.sent

    def replies(self) -> list[str]:
        """The text of everything the bot posted or sent privately, reactions left out."""
        return [s.text for s in self.sent if s.kind != "react"]

    async def say(self, text: str, *, author: str = "alice", reply_to: str | None = None,
                  message_id: str | None = None, where: Conversation | None = None
                  ) -> IncomingMessage:
        self._count += 1
        msg = IncomingMessage(where or self.room, message_id or f"m-{self._count}", author,
                              text, self.clock.now(), reply_to_id=reply_to,
                              sender_name=author.capitalize(),
                              permalink=f"https://chat.example/m-{self._count}")
        await self.handle(msg)
        await self.svc.background.settle()  # the consent notice it may have brought
        return msg

    async def handle(self, event: Event) -> Outcome:
        """One event through the router's entry, as one delivery; its failure is raised."""
        [outcome] = await self.router.handle([event])
        if outcome.error is not None:
            raise outcome.error
        return outcome

    async def edit(self, message_id: str, text: str, *, author: str = "alice") -> None:
        await self.handle(MessageEdited(self.room, message_id, author, text, self.clock.now()))

    async def delete(self, message_id: str) -> None:
        await self.handle(MessageDeleted(self.room, message_id, self.clock.now()))

    async def react(self, message_id: str, reaction: str, *, author: str = "bob") -> None:
        await self.handle(ReactionAdded(self.room, message_id, author, reaction,
                                        self.clock.now()))

    async def unreact(self, message_id: str, reaction: str, *, author: str = "bob") -> None:
        await self.handle(ReactionRemoved(self.room, message_id, author, reaction,
                                          self.clock.now()))
