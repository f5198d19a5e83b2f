"""The consent notice: once per member, privately, in their language, never twice (redelivery,
concurrent first messages, a second replica, a restart); `my-data` hands a member their own
data."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import replace

import pytest

from bot.app import build_router
from bot.handlers.consent import notice_text
from bot.i18n import Translator
from bot.messages import Conversation, IncomingMessage
from bot.settings import Settings
from bot.storage import Database, Storage, make_engine
from bot.workplan import WorkPlan
from tests.fakes import FakeChat, Harness, Sent

ORIGINALS = (
    "نُرِيدُ مَشُورَةً أَوْسَعَ #wp5",  # Arabic with harakat
    "我们需要更多的翻译 #资源",  # Chinese, a native hashtag without a space
    "Interpretation 🎧👩🏽‍💻 for every call #wp3",  # emoji with a skin tone and a joiner
    "Mixed: الشفافية first, then Transparenz #wp6",  # right to left inside left to right
)


@pytest.fixture
def noticing(settings: Settings, plan: WorkPlan, storage: Storage) -> Harness:
    return Harness(settings.model_copy(update={"consent_notice": True}), plan, storage)


def notices(harness: Harness, user_id: str = "alice") -> list[Sent]:
    return [s for s in harness.sent if s.kind == "private" and s.user_id == user_id]


def english_notice(harness: Harness) -> str:
    return notice_text(harness.settings, harness.svc.tr)


async def test_a_member_s_first_stored_message_brings_one_private_notice(
        noticing: Harness) -> None:
    first = await noticing.say("Set priorities first #wp1")
    await noticing.say("And fund interpretation #wp3")
    [notice] = notices(noticing)
    assert notice.text == english_notice(noticing)
    assert "`!my-data`" in notice.text and "`!forget-me`" in notice.text
    assert notice.where == first.where  # privately, from where they spoke


async def test_commands_alone_store_nothing_and_bring_no_notice(noticing: Harness) -> None:
    await noticing.say("!help")
    assert notices(noticing) == []


async def test_a_redelivery_and_concurrent_first_messages_tell_once(noticing: Harness) -> None:
    await asyncio.gather(*(noticing.say(f"idea {n} #wp2", author="bob") for n in range(6)))
    await noticing.say("idea 0 #wp2", author="bob", message_id="m-1")  # at least once
    assert len(notices(noticing, "bob")) == 1


async def test_two_replicas_on_one_database_tell_a_member_once(
        noticing: Harness, settings: Settings, plan: WorkPlan) -> None:
    engine = make_engine(settings.database_url)
    other = Storage(Database(engine))
    try:
        replica = Harness(noticing.settings, plan, other, noticing.clock)
        await asyncio.gather(noticing.say("from here #wp1", author="dave", message_id="a"),
                             replica.say("from there #wp1", author="dave", message_id="b"))
        assert len(notices(noticing, "dave")) + len(notices(replica, "dave")) == 1
        restarted = Harness(noticing.settings, plan, Storage(Database(engine)), noticing.clock)
        await restarted.say("after a restart #wp1", author="dave", message_id="c")
        assert notices(restarted, "dave") == []  # the record is in the database
        await restarted.storage.close()
    finally:
        await other.close()
        await engine.dispose()


async def test_the_notice_speaks_the_member_s_language_else_the_channel_s(
        noticing: Harness) -> None:
    await noticing.say("!lang ar", author="amal")
    await noticing.say("نحتاج إلى مشاورة أوسع #wp5", author="amal")
    arabic = Translator("ar")
    assert notices(noticing, "amal")[0].text == arabic(
        "consent.notice", my_data="!بياناتي", forget="!انسني")
    # The channel's language, for a member who chose none:
    russian_room = Conversation("slack", "C0RUSSIAN", name="русский")
    settings = noticing.settings.model_copy(update={"channel_locales": "slack:C0RUSSIAN=ru"})
    harness = Harness(settings, noticing.plan, noticing.storage, noticing.clock)
    await harness.say("Нужно больше переводов #wp5", author="ivan", where=russian_room)
    [notice] = notices(harness, "ivan")
    assert notice.text == Translator("ru")("consent.notice", my_data="!мои-данные",
                                           forget="!забудь-меня")


async def test_the_notice_names_the_mailing_list_when_digests_are_mailed(
        settings: Settings, plan: WorkPlan, storage: Storage) -> None:
    mailed = settings.model_copy(update={"consent_notice": True,
                                         "digest_to": ("emm@example.org",)})
    harness = Harness(mailed, plan, storage)
    await harness.say("A thought #wp4")
    assert notices(harness)[0].text == Translator("en")(
        "consent.notice_mailed", my_data="!my-data", forget="!forget-me")


async def test_switched_off_no_notice_is_sent_nor_recorded(harness: Harness) -> None:
    assert not harness.settings.consent_notice
    await harness.say("Quiet please #wp1")
    assert notices(harness) == []
    data = await harness.storage.member_data("test", "alice")
    assert data.notice_claimed_at is None


async def test_a_notice_that_could_not_be_sent_is_tried_again_after_its_lease(
        noticing: Harness) -> None:
    noticing.chat.fail_sends = True
    await noticing.say("First try #wp1")  # stored; the notice failed
    assert await noticing.storage.count_messages() == 1
    noticing.chat.fail_sends = False
    await noticing.say("Soon after #wp1")
    assert notices(noticing) == []  # the claim is still fresh: maybe it was sent after all
    noticing.clock.advance(minutes=11)
    await noticing.say("Later #wp1")
    await noticing.say("Later still #wp1")
    assert len(notices(noticing)) == 1


async def test_forget_me_clears_the_record_so_a_returning_member_is_told_again(
        noticing: Harness) -> None:
    await noticing.say("Hello #wp1")
    await noticing.say("!forget-me")
    assert (await noticing.storage.member_data("test", "alice")).notice_claimed_at is None
    await noticing.say("I am back #wp1")
    assert len(notices(noticing)) == 2


async def test_my_data_sends_the_member_s_own_data_privately_as_json(
        noticing: Harness) -> None:
    for text in ORIGINALS:
        await noticing.say(text, author="alice")
    others = await noticing.say("Bob's own view #wp2", author="bob")
    await noticing.react(others.message_id, "4️⃣", author="alice")
    await noticing.say("!tag 7 solution", author="alice", reply_to=others.message_id)
    await noticing.say("!lang es", author="alice")
    await noticing.say("!my-data", author="alice")
    reply = noticing.sent[-1]
    assert reply.kind == "file" and reply.user_id == "alice"
    assert reply.text == Translator("es")("my_data.caption", count=4, forget="!olvidame")
    assert reply.attachment is not None and reply.attachment.filename.endswith(".json")
    data = json.loads(reply.attachment.content.decode("utf-8"))
    assert data["format"] == "plenary.my-data/1"
    assert [m["text"] for m in data["messages"]] == list(ORIGINALS)  # byte for byte
    for original in ORIGINALS:  # as UTF-8 in the file, not \u escapes
        assert original.encode("utf-8") in reply.attachment.content
    assert data["messages"][0]["issues"] == [5]
    assert data["messages"][1]["issues"] == [3]  # #资源: resources, in Chinese
    assert data["language"] == "es"
    assert data["notice_told_at"] is not None
    assert [(r["message_id"], r["issue"]) for r in data["reactions"]] == [
        (others.message_id, 4)]
    assert {(t["message_id"], t["issue"]) for t in data["tags"]} >= {(others.message_id, 7)}
    assert "Bob's own view" not in reply.attachment.content.decode("utf-8")


async def test_my_data_as_csv_opens_in_a_spreadsheet(noticing: Harness) -> None:
    await noticing.say(ORIGINALS[0])
    await noticing.say("=HYPERLINK(\"http://evil\") #wp1")
    await noticing.say("!my-data csv")
    attachment = noticing.sent[-1].attachment
    assert attachment is not None and attachment.mime_type == "text/csv"
    text = attachment.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [row["text"] for row in rows] == [ORIGINALS[0], "'=HYPERLINK(\"http://evil\") #wp1"]


async def test_my_data_in_an_unknown_format_says_how_to_write_it(noticing: Harness) -> None:
    await noticing.say("!my-data pdf")
    assert noticing.replies()[-1].startswith(
        Translator("en")("my_data.format", word="pdf"))


class _HeldPrivateSends(FakeChat):
    """A chat whose private sends wait until released: a slow platform."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def send_private(self, where: Conversation, user_id: str, text: str, *,
                           reply_to: str | None = None, answer_to: str | None = None
                           ) -> str | None:
        await self.release.wait()
        return await super().send_private(where, user_id, text, reply_to=reply_to,
                                          answer_to=answer_to)


async def test_the_burst_returns_before_the_notice_is_delivered(
        settings: Settings, plan: WorkPlan, storage: Storage) -> None:
    """The platform is acknowledged when the burst returns: a slow private send must not
    hold it. The notice still goes out once, and is recorded once it has."""
    harness = Harness(settings.model_copy(update={"consent_notice": True}), plan, storage)
    chat = _HeldPrivateSends()
    svc = replace(harness.svc, chat=chat)
    router = build_router(svc)
    msg = IncomingMessage(harness.room, "m-held", "alice", "Budget first #wp3",
                          harness.clock.now())
    await asyncio.wait_for(router.handle([msg]), timeout=5)  # returns with the send held
    assert await storage.count_messages() == 1
    assert svc.background.running == 1
    assert [s.kind for s in chat.sent] == ["react"]  # the tag acknowledged, no notice yet
    assert (await storage.member_data("test", "alice")).notice_told_at is None
    chat.release.set()
    await svc.background.settle()
    assert [s.kind for s in chat.sent] == ["react", "private"]
    assert (await storage.member_data("test", "alice")).notice_told_at is not None


async def test_the_notice_takes_the_language_read_with_its_claim_and_reads_nothing_more(
        noticing: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The member's chosen language comes from the claim's own transaction: the notice
    needs no read transaction of its own (one per burst of new members cost ingest 4%)."""
    await noticing.say("!lang es", author="dora")

    def no_reads() -> None:
        raise AssertionError("the notice read the database again")

    monkeypatch.setattr(noticing.storage.db, "read", no_reads)
    await noticing.say("Hola #wp2", author="dora")
    [notice] = notices(noticing, "dora")
    assert notice.text == notice_text(noticing.settings, Translator("es"))
