"""The scheduled digest job without mail: posted to the staff room once per period."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.handlers.scheduled_digest import post_scheduled_digest
from bot.messages import Conversation, parse_conversation
from bot.settings import load_settings
from bot.storage import Storage
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import Harness


def _harness(tmp_path: Path, plan: WorkPlan, storage: Storage, cron: str) -> Harness:
    settings = make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/unused.db",
                             digest_cron=cron, staff_conversation="test:staff")
    return Harness(settings, plan, storage)


async def test_every_monday_posts_once_per_week(tmp_path: Path, plan: WorkPlan,
                                                storage: Storage) -> None:
    harness = _harness(tmp_path, plan, storage, "every monday 09:00")
    harness.clock.set("2019-10-03T15:00:00+00:00")
    await harness.say("Pool the travel budget #wp3")
    harness.clock.set("2019-10-06T12:00:00+00:00")  # Sunday: last week's digest is long done
    await post_scheduled_digest(harness.svc)
    first = [s for s in harness.sent if s.where.id == "staff"]
    assert len(first) == 1 and "Pool the travel budget" not in first[0].text
    harness.clock.set("2019-10-07T13:00:00+00:00")  # Monday 09:00 in Toronto
    for _ in range(3):
        await post_scheduled_digest(harness.svc)
        harness.clock.advance(hours=2)
    posts = [s for s in harness.sent if s.where.id == "staff"]
    assert len(posts) == 2
    assert "Pool the travel budget" in posts[1].text
    assert posts[1].key == "plenary-digest-20191007T1300"


async def test_the_posted_digest_ends_with_the_lens_over_all_input(
        tmp_path: Path, plan: WorkPlan, storage: Storage) -> None:
    harness = _harness(tmp_path, plan, storage, "every monday 09:00")
    tr = harness.svc.tr
    harness.clock.set("2019-09-24T15:00:00+00:00")  # the week before: not in the digest
    await harness.say("!iam GNSO", author="dave")
    await harness.say("Share interpreters #wp5", author="dave")
    harness.clock.set("2019-10-03T15:00:00+00:00")
    await harness.say("!iam GNSO")
    await harness.say("Pool the travel budget #wp3")
    harness.clock.set("2019-10-07T13:00:00+00:00")
    await post_scheduled_digest(harness.svc)
    [post] = [s for s in harness.sent if s.where.id == "staff"]
    digest, lens = post.text.split(f"\n\n**{tr('lens.title')}**\n")
    assert "Pool the travel budget" in digest and "Share interpreters" not in digest
    gaps = dict(line.split(" — ") for line in lens.splitlines())

    def of(number: int) -> str:
        issue = plan.issue_by_number(number)
        assert issue is not None
        return gaps[f"- **{issue.label(tr.locale)}**"]
    few = tr("lens.few_groups", count=1, groups="GNSO")
    assert of(3).startswith(few) and of(5).startswith(few)  # over all input, not the week
    assert of(1) == tr("lens.never")


def test_a_bad_crontab_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLENARY_DIGEST_CRON", "0 9 * *")
    with pytest.raises(ConfigError, match="PLENARY_DIGEST_CRON: '0 9 \\* \\*' is neither"):
        load_settings()


@pytest.mark.parametrize(("setting", "conversation"), [
    ("matrix:!room:example.org", Conversation("matrix", "!room:example.org")),
    ("matrix:#staff:example.org", Conversation("matrix", "#staff:example.org")),
    ("slack:C0STAFF01", Conversation("slack", "C0STAFF01")),
    ("console", Conversation("console", "console")),
    ("test:staff", Conversation("test", "staff")),
])
def test_staff_conversation_setting(setting: str, conversation: Conversation) -> None:
    assert parse_conversation(setting) == conversation


@pytest.mark.parametrize("setting", ["slack", "bogus", "slack:general", "slack:", "matrix:room",
                                     "matrix:!room", ":C0STAFF01", "console:other"])
def test_a_staff_conversation_that_is_not_one_is_refused(setting: str) -> None:
    with pytest.raises(ValueError, match="is not a conversation; write slack:C0123ABCD"):
        parse_conversation(setting)
