"""The chat digest: summary first, then entries by issue and kind, newest first, with links;
cut to the platform's size with the full digest attached."""

from __future__ import annotations

from bot.messages import Conversation
from tests.fakes import Harness


async def _three_inputs(harness: Harness) -> None:
    await harness.say("Pool the travel budget #wp3 #solution", author="alice")
    harness.clock.advance(minutes=3)
    await harness.say("Share interpreters #wp3 #quickwin #solution", author="bob")
    harness.clock.advance(minutes=3)
    await harness.say("Rotate the chairs #wp6", author="dora")
    harness.clock.advance(minutes=3)


async def test_summary_comes_first_and_flags_issues_without_input(harness: Harness) -> None:
    await _three_inputs(harness)
    await harness.say("!digest", author="carol")
    sent = harness.sent[-1]
    assert sent.kind == "private" and sent.attachment is None
    lines = sent.text.splitlines()
    summary = lines.index("**Summary**")
    assert lines[summary + 3] == ("- **3. Efficient use of resources** — 2 inputs · "
                                  "2 contributors · 1 channel")
    assert lines[summary + 1] == "- **1. Prioritization of work** — ⚠ no input in this period"
    assert sent.text.index("**Summary**") < sent.text.index("Pool the travel budget")


async def test_entries_are_grouped_by_issue_and_kind_newest_first(harness: Harness) -> None:
    await _three_inputs(harness)
    await harness.say("!digest", author="carol")
    text = harness.sent[-1].text
    issue3 = text.index("**3. Efficient use of resources**\nResponsible: to be decided")
    solutions = text.index("Possible solutions:", issue3)
    quick = text.index("Immediate opportunities (low-hanging fruit):", solutions)
    issue6 = text.index("**6. Culture, trust and silos**\n", quick)
    assert solutions < text.index("Share interpreters", solutions) \
        < text.index("Pool the travel budget", solutions) < quick
    assert "[source](https://chat.example/m-2)" in text[solutions:quick]
    assert "Comments:" in text[issue6:]


async def test_new_since_last_time_shows_with_all(harness: Harness) -> None:
    await harness.say("Pool the travel budget #wp3", author="alice")
    harness.clock.advance(minutes=1)
    await harness.say("!digest", author="carol")
    harness.clock.advance(minutes=1)
    await harness.say("Share interpreters #wp3", author="bob")
    harness.clock.advance(minutes=1)
    await harness.say("!digest all", author="carol")
    assert "2 inputs · 2 contributors · 1 channel · 1 new since last time" \
        in harness.sent[-1].text


async def test_a_long_digest_fits_slack_and_comes_whole_as_a_file(harness: Harness) -> None:
    slack_room = Conversation("slack", "C1", name="general")
    for n in range(40):
        await harness.say(f"Idea number {n} " + "with a long explanation " * 8 + "#wp3",
                          author=f"user{n}", where=slack_room)
        harness.clock.advance(minutes=1)
    await harness.say("!digest", author="carol", where=slack_room)
    sent = harness.sent[-1]
    assert sent.kind == "file" and sent.attachment is not None
    assert len(sent.text) <= 2800
    assert "the full digest is attached" in sent.text
    full = sent.attachment.content.decode()
    assert sent.attachment.filename.endswith(".md")
    assert all(f"Idea number {n} " in full for n in range(40))


async def test_digest_is_for_staff_only(harness: Harness) -> None:
    await harness.say("!digest", author="mallory")
    assert "Only staff" in harness.sent[-1].text
