"""The live list mail listener: a real aiosmtpd server on loopback fed by smtplib. Posts are
stored exactly once, replies to a digest go to the section they answer, and every refusal
or failure is an SMTP status the MTA acts on (nothing stored is ever lost or doubled)."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from bot.adapters.mail import MailListener
from bot.app import make_listeners
from bot.errors import ConfigError
from bot.mail.digest_ids import digest_message_id
from bot.mail.ingest import MailIngest
from bot.messages import MessageRef
from bot.storage import Storage
from bot.storage.tables import MESSAGES
from bot.tags import TagSet
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import FrozenClock, Harness
from tests.support.mail_archives import post, raw_post

pytestmark = pytest.mark.integration

ACCEPT = ("emm.lists.example.org", "@members.example.org")
DIGEST_ID = digest_message_id(FrozenClock("2019-10-07T13:00:00+00:00").now(), "example.org")
DIGEST_QUOTE = """> # Digest — Evolving the Multistakeholder Model — work plan
>
> ## 1. Prioritization of work and efficient use of resources
>
> - Set priorities first (alice, slack #general)
>
> ## 3. Efficient use of resources
>
> ### Possible solutions
>
> - Pool the travel budget (alice, slack #general)
>
> ## 4. Roles and responsibilities, and a holistic view of ICANN
"""


@dataclass
class Listening:
    harness: Harness
    port: int
    storage: Storage
    lmtp: bool


@pytest.fixture(params=["smtp", "lmtp"])
async def listening(request: pytest.FixtureRequest, any_storage: Storage, plan: WorkPlan
                    ) -> AsyncIterator[Listening]:
    settings = make_settings(mail_accept=ACCEPT, mail_max_bytes=20_000)
    harness = Harness(settings, plan, any_storage, FrozenClock("2019-10-08T12:00:00+00:00"))
    listener = MailListener("127.0.0.1", 0, MailIngest(harness.svc).receive,
                            protocol=request.param, max_bytes=settings.mail_max_bytes)
    task = asyncio.create_task(listener.serve())
    await asyncio.wait_for(listener.listening.wait(), 10)
    assert listener.address is not None
    try:
        yield Listening(harness, listener.address[1], any_storage, request.param == "lmtp")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def _deliver(port: int, raw: bytes, sender: str, recipients: list[str], lmtp: bool
             ) -> tuple[int, str]:
    client = (smtplib.LMTP("127.0.0.1", port, timeout=10) if lmtp
              else smtplib.SMTP("127.0.0.1", port, timeout=10))
    with client:
        client.ehlo()  # LHLO for LMTP
        client.mail(sender)
        for recipient in recipients:
            client.rcpt(recipient)
        code, reply = client.data(raw)
        if lmtp:  # LMTP answers once per recipient: the same status for each
            assert [client.getreply() for _ in recipients[1:]] == [(code, reply)] * (
                len(recipients) - 1)
        return code, reply.decode()


async def deliver(where: Listening, raw: bytes, sender: str = "emm-bounces@lists.example.org",
                  recipients: tuple[str, ...] = ("plenary@example.org",)) -> tuple[int, str]:
    wire = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # smtplib sends bytes as given
    return await asyncio.to_thread(_deliver, where.port, wire, sender, list(recipients),
                                   where.lmtp)


async def test_a_list_post_is_stored_once_even_when_redelivered(listening: Listening) -> None:
    raw = post("p1@example.org", subject="[WP3] Pool the budget", body="Pool it #solution")
    assert await deliver(listening, raw, recipients=("a@example.org", "b@example.org")) == (
        250, "2.0.0 Stored <p1@example.org>")
    assert await deliver(listening, raw) == (250, "2.0.0 Already stored <p1@example.org>")
    assert await listening.storage.count_messages() == 1
    ref = MessageRef("email", "emm", "p1@example.org")  # the List-Id names the channel
    assert await listening.storage.tags_of(ref) == TagSet((3,), ("solution",))


async def test_a_reply_to_a_digest_is_input_to_the_section_it_answers(
        listening: Listening) -> None:
    reply = post("r1@members.example.org", sender="Dan <dan@members.example.org>",
                 subject="Re: Digest", list_id=None, in_reply_to=DIGEST_ID.strip("<>"),
                 body="On Mon, 7 Oct 2019, plenary wrote:\n" + DIGEST_QUOTE.split("> ### ")[0]
                 + "\nA shared budget needs a steward.\n")
    code, _ = await deliver(listening, reply, sender="dan@members.example.org")
    assert code == 250
    ref = MessageRef("email", "list", "r1@members.example.org")  # no List-Id: PLENARY_MAIL_LIST
    assert await listening.storage.tags_of(ref) == TagSet((3,))
    stored = await listening.storage.message(ref)
    assert stored is not None and stored.text == "A shared budget needs a steward."
    async with listening.storage.db.read() as conn:
        thread = (await conn.execute(select(MESSAGES.c.thread_id).where(
            MESSAGES.c.message_id == ref.message_id))).scalar_one()
    assert thread == DIGEST_ID.strip("<>")  # threaded under the digest


async def test_a_reply_answering_no_clear_section_is_kept_as_a_comment(
        listening: Listening) -> None:
    reply = post("r2@members.example.org", sender="dan@members.example.org", list_id=None,
                 subject="Re: Digest", references=f"<x@y> {DIGEST_ID}",
                 body="Thanks for the digest!\n\n" + DIGEST_QUOTE)
    assert (await deliver(listening, reply, sender="dan@members.example.org"))[0] == 250
    ref = MessageRef("email", "list", "r2@members.example.org")
    assert await listening.storage.message(ref) is not None
    assert await listening.storage.tags_of(ref) == TagSet()


async def test_plenary_s_own_digest_handed_back_by_the_list_is_not_input(
        listening: Listening) -> None:
    digest = post(DIGEST_ID.strip("<>"), sender="plenary@example.org", subject="Digest",
                  body=DIGEST_QUOTE.replace("> ", "") + "\n#wp3 #solution")
    assert await deliver(listening, digest) == (
        250, f"2.0.0 Not stored: {DIGEST_ID} is plenary's own digest")
    assert await listening.storage.count_messages() == 0


async def test_refusals_are_clear_statuses_and_store_nothing(listening: Listening) -> None:
    stranger = post("s@evil.example", sender="spam@evil.example", list_id=None)
    code, reply = await deliver(listening, stranger, sender="spam@evil.example")
    assert (code, reply.split(" ")[0]) == (550, "5.7.1") and "Not accepted" in reply
    nobody = raw_post("Subject: no sender\nList-Id: <emm.lists.example.org>", b"text")
    code, reply = await deliver(listening, nobody)
    assert code == 550 and reply.startswith("5.6.0 Not stored") and "From" in reply
    huge = post("big@example.org", body="many words\n" * 3_000)
    code, reply = await deliver(listening, huge)
    assert code == 552 and "Too much mail data" in reply
    assert await listening.storage.count_messages() == 0


async def test_a_storage_failure_is_a_temporary_failure_and_the_retry_stores_it(
        listening: Listening) -> None:
    raw = post("retry@example.org", body="Stored on the second try #wp2")
    async with listening.storage.db.write() as conn:
        await conn.execute(text("ALTER TABLE mail_posts RENAME TO mail_posts_away"))
    code, reply = await deliver(listening, raw)
    assert code == 451 and reply.startswith("4.3.0 Could not store this message now (ref ")
    async with listening.storage.db.write() as conn:
        await conn.execute(text("ALTER TABLE mail_posts_away RENAME TO mail_posts"))
    assert await listening.storage.count_messages() == 0  # the half-written post rolled back
    assert (await deliver(listening, raw))[0] == 250
    assert await listening.storage.count_messages() == 1


def test_plenary_run_starts_the_listener_only_when_configured(plan: WorkPlan) -> None:
    harness_settings = make_settings(mail_listen="127.0.0.1:8025", mail_accept=ACCEPT)
    svc = Harness(harness_settings, plan, None).svc  # type: ignore[arg-type]
    [listener] = make_listeners(harness_settings, svc)
    assert isinstance(listener, MailListener) and listener.platform == "email"
    assert make_listeners(make_settings(), svc) == []
    with pytest.raises(ConfigError, match="PLENARY_MAIL_ACCEPT is required"):
        make_settings(mail_listen="127.0.0.1:8025").check_adapters()
