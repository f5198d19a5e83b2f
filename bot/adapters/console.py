"""The console: a chat on standard input and output, for trying plenary with no account.

Each input line is one event:

    text                       a message by `you`
    @alice: text               a message by alice (commands too: `@carol: !digest`)
    @bob: /reply m1 text       a reply to message m1 (so `/reply m1 !tag 3 solution` tags m1)
    @bob: /react m1 3️⃣         a reaction on m1; `/unreact m1 3️⃣` takes it back
    @alice: /edit m1 new text  an edit of m1
    /delete m1                 a deletion of m1

Messages are printed with their short id (`[m1]`); the bot's answers start with `plenary`.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator, Callable

from bot.adapters import Dispatch
from bot.messages import (
    Attachment,
    Conversation,
    Event,
    IncomingMessage,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    ReactionRemoved,
)
from bot.platform_status import PlatformStatus
from bot.ports import Clock, StaffDirectory
from bot.text import to_plain, without_isolates

PLATFORM = "console"
ROOM = Conversation(PLATFORM, "console", name="console")
DEFAULT_AUTHOR = "you"

_AUTHOR = re.compile(r"^@(?P<name>[\w.-]+):\s?(?P<rest>.*)$", re.DOTALL)
_FORM = re.compile(r"^/(?P<verb>reply|react|unreact|edit|delete)\s+(?P<short>m\d+)\b\s*"
                   r"(?P<rest>.*)$", re.DOTALL)


class ConsoleChat:
    def __init__(self, write: Callable[[str], None], short_id: Callable[[str], str],
                 full_id: Callable[[str], str | None]) -> None:
        self._write = write
        self._short_id = short_id
        self._full_id = full_id
        self._sent = 0

    def _next_id(self) -> str:
        self._sent += 1
        return f"bot-{self._sent}"

    async def send(self, where: Conversation, text: str, *, reply_to: str | None = None,
                   idempotency_key: str | None = None) -> str:
        about = f" (re {self._short_id(reply_to)})" if reply_to else ""
        self._write(f"plenary{about}: {_shown(text)}")
        return self._next_id()

    async def send_private(self, where: Conversation, user_id: str, text: str, *,
                           reply_to: str | None = None, answer_to: str | None = None
                           ) -> str | None:
        self._write(f"plenary → @{user_id} (private): {_shown(text)}")
        return self._next_id()

    async def send_file(self, where: Conversation, user_id: str, attachment: Attachment,
                        text: str, *, reply_to: str | None = None,
                        answer_to: str | None = None) -> str | None:
        body = attachment.content.decode("utf-8", errors="replace")
        self._write(f"plenary → @{user_id} (private file {attachment.filename}, "
                    f"{len(attachment.content)} bytes): {_shown(text)}\n{body}")
        return self._next_id()

    async def react(self, where: Conversation, message_id: str, reaction: str) -> None:
        self._write(f"plenary reacted {reaction} to {self._short_id(message_id)}")

    async def permalink(self, where: Conversation, message_id: str) -> str | None:
        return None

    async def message_id_named(self, where: Conversation, word: str) -> str | None:
        return self._full_id(word)


class ConsoleAdapter:
    platform = PLATFORM

    def __init__(self, clock: Clock, lines: AsyncIterator[str] | None = None,
                 write: Callable[[str], None] | None = None) -> None:
        self._clock = clock
        self._lines = lines if lines is not None else stdin_lines()
        self._write = write if write is not None else _print
        # Short ids are per run; the stored ids carry the run's start so runs never collide.
        self._run = f"{int(clock.now().timestamp() * 1000):x}"
        self._count = 0
        self._chat = ConsoleChat(self._write, self.short_id, self.full_id)

    async def status(self) -> PlatformStatus:
        return PlatformStatus(PLATFORM, connected=True)  # the terminal is always there

    @property
    def chat(self) -> ConsoleChat:
        return self._chat

    def staff_directory(self) -> StaffDirectory | None:
        return None

    def short_id(self, message_id: str) -> str:
        run, _, number = message_id.rpartition("-")
        return f"m{number}" if run == self._run else message_id

    def _full_id(self, short: str) -> str:
        return f"{self._run}-{short[1:]}"

    def full_id(self, word: str) -> str | None:
        """The stored id of `m3`, a message of this run; None for any other word."""
        if re.fullmatch(r"m\d+", word) and 1 <= int(word[1:]) <= self._count:
            return self._full_id(word)
        return None

    async def serve(self, dispatch: Dispatch) -> None:
        async for line in self._lines:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            event = self.read_line(line)
            if event is None:
                continue
            [outcome] = await dispatch([event])
            if outcome.error is not None:  # say so, keep reading
                self._write(f"! not stored: {type(outcome.error).__name__}: {outcome.error}")

    def read_line(self, line: str) -> Event | None:
        """The event a line stands for; the message line is echoed with its short id."""
        author, rest = DEFAULT_AUTHOR, line
        match = _AUTHOR.match(line)
        if match:
            author, rest = match.group("name"), match.group("rest")
        now = self._clock.now()
        form = _FORM.match(rest)
        if form is None:
            if rest.startswith("/") and rest.split(" ", 1)[0] in (
                    "/reply", "/react", "/unreact", "/edit", "/delete"):
                self._write("! write it as: /reply m1 text, /react m1 3️⃣, /unreact m1 3️⃣, "
                            "/edit m1 text or /delete m1")
                return None
            return self._message(author, rest, None)
        verb, short, text = form.group("verb"), form.group("short"), form.group("rest").strip()
        if not 1 <= int(short[1:]) <= self._count:
            known = f"m1 to m{self._count}" if self._count > 1 else "m1" if self._count else \
                "none yet"
            self._write(f"! there is no {short} in this run (messages: {known})")
            return None
        target = self._full_id(short)
        if verb == "reply":
            return self._message(author, text, target)
        if verb in ("react", "unreact") and not text:
            self._write(f"! write it as: /{verb} {short} 3️⃣")
            return None
        # Edits, deletions and reactions are not messages: say what happened, as a chat shows.
        if verb == "edit":
            self._write(f"[{short} edited by @{author}]: {text}")
            return MessageEdited(ROOM, target, author, text, now)
        if verb == "delete":
            self._write(f"[{short} deleted]")
            return MessageDeleted(ROOM, target, now)
        if verb == "react":
            self._write(f"[@{author} reacted {text} to {short}]")
            return ReactionAdded(ROOM, target, author, text, now)
        self._write(f"[@{author} took back {text} on {short}]")
        return ReactionRemoved(ROOM, target, author, text, now)

    def _message(self, author: str, text: str, reply_to: str | None) -> IncomingMessage:
        self._count += 1
        message_id = f"{self._run}-{self._count}"
        about = f" (re {self.short_id(reply_to)})" if reply_to else ""
        self._write(f"[m{self._count}] @{author}{about}: {text}")
        return IncomingMessage(ROOM, message_id, author, text, self._clock.now(),
                               reply_to_id=reply_to, sender_name=author)


async def stdin_lines() -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line


def _print(text: str) -> None:
    print(text, flush=True)


def _shown(neutral: str) -> str:
    """A terminal lays text out without bidi isolates; it would show them as gaps or boxes."""
    return without_isolates(to_plain(neutral))
