"""`digest` covers what was tagged since the asker's previous digest, like a list digest."""

from __future__ import annotations

from pathlib import Path

from bot.storage import Storage
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import Harness


def _digest_text(harness: Harness) -> str:
    sent = harness.sent[-1]
    assert sent.kind in ("private", "file") and sent.user_id == "carol"
    return sent.text


async def test_second_digest_lists_only_what_came_in_between(harness: Harness) -> None:
    await harness.say("Pool the travel budget #wp3 #solution", author="alice")
    harness.clock.advance(hours=1)
    await harness.say("!digest", author="carol")
    first = _digest_text(harness)
    assert "Pool the travel budget" in first
    assert "your first digest" in first

    harness.clock.advance(hours=2)
    await harness.say("Share interpreters between sessions #wp3", author="bob")
    harness.clock.advance(hours=1)
    await harness.say("!digest", author="carol")
    second = _digest_text(harness)
    assert "Share interpreters between sessions" in second
    assert "Pool the travel budget" not in second
    assert "since your previous digest (2019-10-01 09:00 EDT to 2019-10-01 12:00 EDT)" in second

    harness.clock.advance(hours=1)
    await harness.say("!digest", author="carol")
    third = _digest_text(harness)
    assert "0 tagged inputs on 0 issues" in third


async def test_each_staff_member_has_their_own_cursor(tmp_path: Path, plan: WorkPlan,
                                                       storage: Storage) -> None:
    harness = Harness(make_settings(staff=("carol", "dave"),
                                    database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db"),
                      plan, storage)
    await harness.say("Pool the travel budget #wp3", author="alice")
    harness.clock.advance(minutes=5)
    await harness.say("!digest", author="carol")
    harness.clock.advance(minutes=5)
    await harness.say("Rotate the chairs #wp6", author="alice")
    harness.clock.advance(minutes=5)
    await harness.say("!digest", author="carol")
    assert "Pool the travel budget" not in harness.sent[-1].text
    assert "Rotate the chairs" in harness.sent[-1].text
    await harness.say("!digest", author="dave")
    assert harness.sent[-1].user_id == "dave"
    assert "Pool the travel budget" in harness.sent[-1].text
    assert "Rotate the chairs" in harness.sent[-1].text


async def test_all_and_dates_override_the_cursor(harness: Harness) -> None:
    await harness.say("Pool the travel budget #wp3", author="alice")
    await harness.say("!digest", author="carol")
    harness.clock.advance(minutes=5)
    await harness.say("!digest all", author="carol")
    assert "Pool the travel budget" in harness.sent[-1].text
    assert "all time" in harness.sent[-1].text
    await harness.say("!digest since 2019-09-30", author="carol")
    assert "Pool the travel budget" in harness.sent[-1].text


async def test_a_narrowed_digest_does_not_move_the_cursor(harness: Harness) -> None:
    await harness.say("Pool the travel budget #wp3", author="alice")
    await harness.say("Rotate the chairs #wp6", author="alice")
    harness.clock.advance(minutes=5)
    await harness.say("!digest 6", author="carol")
    assert "Rotate the chairs" in harness.sent[-1].text
    assert "Pool the travel budget" not in harness.sent[-1].text
    harness.clock.advance(minutes=5)
    await harness.say("!digest", author="carol")
    assert "Pool the travel budget" in harness.sent[-1].text
    assert "Rotate the chairs" in harness.sent[-1].text


async def test_since_last_counts_by_tagging_time_not_posting_time(harness: Harness) -> None:
    old = await harness.say("An old idea worth keeping", author="alice")
    await harness.say("!digest", author="carol")
    harness.clock.advance(days=3)
    await harness.say("!tag 3 solution", author="carol", reply_to=old.message_id)
    harness.clock.advance(minutes=1)
    await harness.say("!digest", author="carol")
    assert "An old idea worth keeping" in harness.sent[-1].text


async def test_a_digest_that_could_not_be_delivered_does_not_move_the_cursor(
        harness: Harness) -> None:
    await harness.say("Pool the travel budget #wp3 #solution", author="alice")
    harness.clock.advance(hours=1)
    harness.chat.fail_sends = True
    await harness.say("!digest", author="carol")  # lost on the way
    harness.chat.fail_sends = False
    harness.clock.advance(hours=1)
    await harness.say("!digest", author="carol")
    digest = _digest_text(harness)
    assert "Pool the travel budget" in digest and "your first digest" in digest
