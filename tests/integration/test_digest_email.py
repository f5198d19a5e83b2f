"""The scheduled digest, with a controlled clock: posted to the staff room and mailed through
a real SMTP server on loopback (aiosmtpd), once per period, even after a restart."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.handlers.gaps import compact_lens
from bot.handlers.scheduled_digest import post_scheduled_digest
from bot.mail.digest_ids import digest_message_id
from bot.mail.ingest import MailIngest
from bot.messages import MessageRef
from bot.settings import Settings
from bot.storage import Database, Storage, make_engine
from bot.tags import TagSet
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import FrozenClock, Harness
from tests.support.ports import free_port

pytestmark = pytest.mark.integration


class Inbox:
    """Receives over SMTP and parses every message; tests wait on it, never sleep."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._arrived = asyncio.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        async with self._arrived:
            self.messages.append(parsed)
            self.recipients.append(list(envelope.rcpt_tos))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int) -> None:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.messages) >= count),
                                   10)


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[Inbox, int]]:
    inbox = Inbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(inbox, hostname="localhost"),
                                      "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield inbox, port
    server.close()
    await server.wait_closed()


def digest_settings(tmp_path: Path, port: int) -> Settings:
    return make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'digest.db'}",
                         digest_cron="0 9 * * mon", staff_conversation="test:staff-room",
                         smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                         smtp_from="plenary@example.org", digest_to="staff-list@example.org")


async def open_harness(settings: Settings, plan: WorkPlan, clock: FrozenClock,
                       create: bool) -> tuple[Harness, Any]:
    engine = make_engine(settings.database_url)
    database = Database(engine)
    if create:
        await database.create_schema()
    return Harness(settings, plan, Storage(database), clock), engine


async def close_harness(harness: Harness, engine: Any) -> None:
    await harness.storage.close()
    await engine.dispose()


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_type() == f"text/{subtype}"
    content = part.get_content()
    assert isinstance(content, str)
    return content


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


async def test_posted_and_mailed_once_per_period_even_after_a_restart(
        tmp_path: Path, plan: WorkPlan, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    settings = digest_settings(tmp_path, port)
    clock = FrozenClock("2019-10-02T14:00:00+00:00")  # a Wednesday
    harness, engine = await open_harness(settings, plan, clock, create=True)
    tr = harness.svc.tr
    await harness.say("Pool the travel budget <script>x</script> #wp3 #solution",
                      author="alice")
    clock.set("2019-10-07T13:05:00+00:00")  # Monday 09:05 in Toronto: the digest is due
    await post_scheduled_digest(harness.svc)
    await post_scheduled_digest(harness.svc)  # a second wake-up in the same period
    await inbox.wait_for(1)

    posts = [s for s in harness.sent if s.where.id == "staff-room"]
    assert len(posts) == 1 and posts[0].kind == "send"
    assert "Pool the travel budget" in posts[0].text
    assert "tagged from 2019-09-30 09:00 EDT to 2019-10-07 09:00 EDT" in posts[0].text
    [message] = inbox.messages
    assert inbox.recipients == [["staff-list@example.org"]]
    assert message["From"] == "plenary@example.org"
    assert message.get_content_type() == "multipart/alternative"
    assert "tagged from 2019-09-30 09:00 EDT to 2019-10-07 09:00 EDT" in message["Subject"]
    plain = body(message, "plain")
    assert plain.startswith("# Digest — ") and "## 3. Efficient use of resources" in plain
    # Both end with the lens, as `digest` does: issue 3's only contributor has no group.
    lens = await compact_lens(harness.svc)
    assert tr("lens.no_group") in lens
    assert posts[0].text.endswith("\n\n" + lens)
    assert " ".join(plain.split()).endswith(" ".join(lens.split()))  # lines wrapped at 72
    page = _Tags()
    page.feed(body(message, "html"))
    assert "svg" in page.tags and "script" not in page.tags
    assert "Pool the travel budget <script>x</script>" in page.text

    # A restart: new process state, same database; the period is already delivered.
    await close_harness(harness, engine)
    harness, engine = await open_harness(settings, plan, clock, create=False)
    clock.set("2019-10-07T20:00:00+00:00")
    await post_scheduled_digest(harness.svc)
    assert harness.sent == [] and len(inbox.messages) == 1

    # Next week: only what came in between.
    clock.set("2019-10-09T15:00:00+00:00")
    await harness.say("Rotate the chairs #wp6", author="bob", message_id="m-after-restart")
    clock.set("2019-10-14T13:00:00+00:00")  # Monday 09:00 sharp
    await post_scheduled_digest(harness.svc)
    await inbox.wait_for(2)
    [post] = [s for s in harness.sent if s.where.id == "staff-room"]
    assert "Rotate the chairs" in post.text and "Pool the travel budget" not in post.text
    second = body(inbox.messages[1], "plain")
    assert "Rotate the chairs" in second and "Pool the travel budget" not in second
    await close_harness(harness, engine)


async def test_a_failed_mail_is_retried_and_sent_once(tmp_path: Path, plan: WorkPlan,
                                                    smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    settings = digest_settings(tmp_path, port)
    closed = make_settings(**{**settings.model_dump(), "smtp_port": free_port()})
    clock = FrozenClock("2019-10-07T13:05:00+00:00")
    harness, engine = await open_harness(closed, plan, clock, create=True)
    with pytest.raises(OSError):
        await post_scheduled_digest(harness.svc)
    assert len([s for s in harness.sent if s.where.id == "staff-room"]) == 1
    await close_harness(harness, engine)

    harness, engine = await open_harness(settings, plan, clock, create=False)
    await post_scheduled_digest(harness.svc)
    await post_scheduled_digest(harness.svc)
    await inbox.wait_for(1)
    assert len(inbox.messages) == 1 and harness.sent == []  # posted before, not again
    await close_harness(harness, engine)



async def test_the_digest_mail_is_a_list_citizen_and_a_reply_to_it_is_input(
        tmp_path: Path, plan: WorkPlan, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    settings = make_settings(**{**digest_settings(tmp_path, port).model_dump(),
                                "mail_accept": ("@members.example.org",)})
    clock = FrozenClock("2019-10-02T14:00:00+00:00")
    harness, engine = await open_harness(settings, plan, clock, create=True)
    url = "https://wiki.example.org/consultation/very/long/path/to/the/travel-budget-proposal"
    await harness.say("Pool the travel budget of every team into one fund, as described at "
                      f"{url}, and report on it each quarter #wp3 #solution", author="alice")
    clock.set("2019-10-07T13:05:00+00:00")
    await post_scheduled_digest(harness.svc)
    await inbox.wait_for(1)
    [digest] = inbox.messages
    assert digest["Message-ID"] == digest_message_id(
        datetime(2019, 10, 7, 13, tzinfo=UTC), "example.org")  # the period's, stable
    assert digest["Auto-Submitted"] == "auto-generated"
    assert digest["Precedence"] is None and digest["List-Id"] is None
    plain = body(digest, "plain")
    assert all(len(line) <= 72 for line in plain.splitlines()
               if url not in line and not line.startswith("|"))
    assert url in plain  # never broken across lines

    # A member answers under issue 3's section, quoting the digest as mail clients do.
    quoted = "\n".join("> " + line for line in plain.splitlines())
    reply = EmailMessage()
    reply["From"] = "Dan <dan@members.example.org>"
    reply["Subject"] = "Re: " + digest["Subject"]
    reply["Message-ID"] = "<dan-1@members.example.org>"
    reply["In-Reply-To"] = digest["Message-ID"]
    head, _, rest = quoted.partition("> ## 4.")
    reply.set_content(f"On Mon, plenary wrote:\n{head}\nA fund needs a steward.\n\n> ## 4.{rest}")
    status = await MailIngest(harness.svc).receive(reply.as_bytes(), "dan@members.example.org")
    assert status == "250 2.0.0 Stored <dan-1@members.example.org>"
    ref = MessageRef("email", "list", "dan-1@members.example.org")
    assert await harness.storage.tags_of(ref) == TagSet((3,))
    stored = await harness.storage.message(ref)
    assert stored is not None and stored.text == "A fund needs a steward."
    await close_harness(harness, engine)
