"""`link-email`, `forget-address` and `forget-me` for list posts, through the router."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.digest_values import DigestFilters
from bot.mail.parse import parse_post
from bot.mail.records import post_record
from bot.messages import MessageRef
from tests.fakes import Harness
from tests.support.mail_archives import post

AT = datetime(2019, 10, 1, tzinfo=UTC)


async def store_post(harness: Harness, message_id: str, sender: str) -> MessageRef:
    parsed = parse_post(post(message_id, sender=sender, body="From the list #wp3"),
                        fallback_at=lambda: AT)
    record = post_record(parsed, "emm", harness.plan, None)
    await harness.storage.mail.save_posts([record], AT)
    return record.msg.ref


async def test_link_email_without_mail_sending_says_whom_to_ask(harness: Harness) -> None:
    await harness.say("!link-email")
    assert harness.sent[-1].kind == "private" and "No mail address is linked" in \
        harness.sent[-1].text
    await harness.say("!link-email alice@example.org")
    assert "I cannot send mail from here" in harness.sent[-1].text
    assert "`!forget-address`" in harness.sent[-1].text
    await harness.say("!link-email not-an-address")
    assert harness.sent[-1].text.startswith("`not-an-address` is not a mail address")


async def test_a_wrong_or_late_code_links_nothing(harness: Harness) -> None:
    await harness.storage.mail.request_link("test", "alice", "alice@example.org", "12345678",
                                            harness.clock.now())
    await harness.say("!link-email confirm 00000000")
    assert "That code is wrong or older than 24 hours" in harness.sent[-1].text
    harness.clock.advance(hours=25)
    await harness.say("!link-email confirm 12345678")
    assert "That code is wrong" in harness.sent[-1].text
    assert await harness.storage.mail.linked_addresses("test", "alice") == []


async def test_forget_me_erases_the_posts_of_a_confirmed_address_only(harness: Harness
                                                                      ) -> None:
    mine = await store_post(harness, "a1@example.org", "alice@example.org")
    claimed = await store_post(harness, "b1@example.org", "bob@example.org")
    await harness.storage.mail.request_link("test", "alice", "alice@example.org", "12345678",
                                            harness.clock.now())
    await harness.storage.mail.request_link("test", "alice", "bob@example.org", "87654321",
                                            harness.clock.now())  # never confirmed
    await harness.say("!link-email confirm 12345678")
    assert harness.sent[-1].text.startswith("Linked: alice@example.org.")
    await harness.say("!link-email")
    assert harness.sent[-1].text == "Your linked addresses: alice@example.org."
    await harness.say("Chat words #wp3")
    await harness.say("!forget-me")  # the chat message and the list post
    assert harness.sent[-1].text == "Done: I erased 2 messages of yours and their tags."
    assert await harness.storage.message(mine) is None
    assert await harness.storage.mail.post("emm", "a1@example.org") is None
    assert await harness.storage.message(claimed) is not None  # a claim alone erases nothing
    assert await harness.storage.mail.linked_addresses("test", "alice") == []


async def test_staff_erase_an_address(harness: Harness) -> None:
    ref = await store_post(harness, "c1@example.org", "Carl <CARL@example.org>")
    await harness.say("!forget-address carl@example.org", author="alice")
    assert "Only staff" in harness.sent[-1].text
    await harness.say("!forget-address Carl@Example.org", author="carol")
    assert harness.sent[-1].text == "Done: I erased 1 list post from carl@example.org."
    assert await harness.storage.message(ref) is None
    await harness.say("!forget-address carl@example.org", author="carol")
    assert harness.sent[-1].text == "Done: I erased 0 list posts from carl@example.org."


async def test_staff_hide_a_list_post_by_its_archive_link(harness: Harness) -> None:
    url = "https://lists.example.org/pipermail/{list}/{month}/thread.html"
    for number in (1, 2):  # two posts of one month: the same page, links of their own
        parsed = parse_post(post(f"h{number}@example.org", body="Hide me #wp3"),
                            fallback_at=lambda: AT)
        await harness.storage.mail.save_posts([post_record(parsed, "emm", harness.plan, url)],
                                              AT)
    link = "https://lists.example.org/pipermail/emm/2019-October/thread.html#h2@example.org"
    await harness.say(f"!hide {link} off-topic", author="carol")
    assert "off-topic" in harness.sent[-1].text
    [figures] = [f for f in await harness.storage.figures(DigestFilters()) if f.issue == 3]
    assert figures.inputs == 1  # h1 is still in, h2 is hidden
