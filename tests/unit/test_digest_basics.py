"""The foundation's digest: staff only, private, grouped by issue and kind, with filters."""

from __future__ import annotations

import csv
import io
import json

from bot.storage import Storage
from bot.text import without_isolates
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import Harness


async def seed(harness: Harness) -> None:
    harness.clock.set("2019-10-02T14:00:00+00:00")
    await harness.say("Set priorities first #wp1 #solution", author="alice")
    harness.clock.set("2019-10-05T09:00:00+00:00")
    await harness.say("Fewer parallel tracks #wp1 #quickwin", author="bob")
    await harness.say("Interpretation for calls #wp5", author="alice",
                      where=harness.room.__class__("test", "room-2", name="outreach"))
    harness.clock.set("2019-10-10T09:00:00+00:00")


async def test_a_member_who_is_not_staff_is_refused_and_told_whom_to_ask(
        harness: Harness) -> None:
    await seed(harness)
    await harness.say("!digest", author="mallory")
    assert harness.replies() == ["Only staff can use !digest. If you need it, ask one of the "
                                 "consultation's staff."]


async def test_the_refusal_names_the_configured_staff_contact_without_pinging(
        plan: WorkPlan, storage: Storage) -> None:
    settings = make_settings(staff=("carol",),
                             staff_contact="@channel the EMM team, emm-staff@example.org")
    harness = Harness(settings, plan, storage)
    await harness.say("!digest", author="mallory")
    assert harness.replies() == ["Only staff can use !digest. If you need it, ask "
                                 "@\u2060channel the EMM team, emm-staff@example.org."]


async def test_staff_get_the_digest_privately_grouped_by_issue_and_kind(harness: Harness) -> None:
    await seed(harness)
    await harness.say("!digest", author="carol")
    answer = harness.sent[-1]
    assert answer.kind == "private" and answer.user_id == "carol"
    text = without_isolates(answer.text)  # isolates: tests/unit/test_bidi.py
    assert "- **1. Prioritization of work** — 2 inputs · 2 contributors · 1 channel" in text
    issue1 = text.index("**1. Prioritization of work**\nResponsible:")
    solutions = text.index("Possible solutions:", issue1)
    quickwins = text.index("Immediate opportunities (low-hanging fruit):", issue1)
    assert issue1 < solutions < text.index("Set priorities first", issue1) < quickwins
    assert "Alice in general, 2019-10-02 10:00" in text  # in the plan's timezone (Toronto)
    assert "**2. Precision in scoping the work** — ⚠ no input in this period" in text
    assert "[source](https://chat.example/m-1)" in text


async def test_filters_by_issue_alias_period_channel_kind_and_author(harness: Harness) -> None:
    await seed(harness)
    cases = {
        "!digest #prioritization": ["Set priorities first", "Fewer parallel tracks"],
        "!digest since 2019-10-03": ["Fewer parallel tracks", "Interpretation for calls"],
        "!digest until 2019-10-03": ["Set priorities first"],
        "!digest channel outreach": ["Interpretation for calls"],
        "!digest kind quickwin": ["Fewer parallel tracks"],
        "!digest author bob": ["Fewer parallel tracks"],
        "!digest since 7d": ["Fewer parallel tracks", "Interpretation for calls"],
    }
    everything = ["Set priorities first", "Fewer parallel tracks", "Interpretation for calls"]
    for command, expected in cases.items():
        await harness.say(command, author="carol")
        text = harness.sent[-1].text
        shown = [quote for quote in everything if quote in text]
        assert shown == expected, command


async def test_bad_filters_get_one_line_saying_how_to_write_them(harness: Harness) -> None:
    await harness.say("!digest since 2019-13-01", author="carol")
    assert harness.replies()[-1].startswith(
        "`2019-13-01` is not a date I can read: write 2019-10-01, or 7d for seven days ago.")
    await harness.say("!digest #9", author="carol")
    assert harness.replies()[-1] == (
        "There is no issue `#9`: the work plan has issues 1-8 (write 3, #3 or #wp3).")
    await harness.say("!digest since 2019-10-05 until 2019-10-01", author="carol")
    assert harness.replies()[-1].startswith("That period is empty")
    await harness.say("!digest as pdf", author="carol")
    assert harness.replies()[-1].startswith(
        "I can't export as `pdf`. The formats are: md, csv, json, html")


async def test_json_export_has_the_documented_shape(harness: Harness) -> None:
    await seed(harness)
    await harness.say("!digest #1 as json", author="carol")
    sent = harness.sent[-1]
    assert sent.kind == "file" and sent.attachment is not None
    data = json.loads(sent.attachment.content)
    assert set(data) == {"generated_at", "period", "filters", "issues"}
    assert data["filters"]["issues"] == [1]
    [issue] = data["issues"]
    assert (issue["number"], issue["title"], issue["count"], issue["contributors"]) == (
        1, "Prioritization of work", 2, 2)
    assert [e["text"] for e in issue["entries"]] == [
        "Fewer parallel tracks #wp1 #quickwin", "Set priorities first #wp1 #solution"]
    assert set(issue["entries"][0]) == {"platform", "channel", "message_id", "author", "text",
                                        "kinds", "posted_at", "permalink", "language",
                                        "group"}
    assert issue["entries"][0]["kinds"] == ["quickwin"]


async def test_csv_export_makes_formula_cells_inert(harness: Harness) -> None:
    await harness.say("=HYPERLINK(\"http://evil\") #wp2", author="@eve")
    await harness.say("!digest as csv", author="carol")
    attachment = harness.sent[-1].attachment
    assert attachment is not None
    rows = list(csv.DictReader(io.StringIO(attachment.content.decode())))
    assert len(rows) == 1
    assert rows[0]["text"].startswith("'=HYPERLINK")
    assert rows[0]["author_id"] == "'@eve"


async def test_user_text_cannot_inject_markup_into_the_digest(harness: Harness) -> None:
    await harness.say("**fake bold** [click](http://evil) `code` #wp3")
    await harness.say("!digest", author="carol")
    text = harness.sent[-1].text
    assert r"\*\*fake bold\*\* \[click\](http://evil) \`code\`" in text
