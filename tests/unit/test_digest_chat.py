"""The chat digest: summary first, then entries by issue and kind, newest first, with links;
cut to the platform's size with the full digest attached."""

from __future__ import annotations

from bot.messages import Conversation, IncomingMessage, MessageRef
from bot.tags import TagSet
from bot.text import without_isolates
from tests.fakes import Harness


async def _three_inputs(harness: Harness) -> None:
    await harness.say("Pool the travel budget #wp3 #solution", author="alice")
    harness.clock.advance(minutes=3)
    await harness.say("Share interpreters #wp3 #solution #quickwin", author="bob")
    harness.clock.advance(minutes=3)
    await harness.say("Publish the agenda early #wp3 #quickwin", author="erin")
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
    assert lines[summary + 3] == ("- **3. Efficient use of resources** — 3 inputs · "
                                  "3 contributors · 1 channel")
    assert lines[summary + 1] == "- **1. Prioritization of work** — ⚠ no input in this period"
    assert sent.text.index("**Summary**") < sent.text.index("Pool the travel budget")


async def test_entries_are_grouped_by_issue_and_kind_newest_first(harness: Harness) -> None:
    await _three_inputs(harness)
    await harness.say("!digest", author="carol")
    text = without_isolates(harness.sent[-1].text)
    issue3 = text.index("**3. Efficient use of resources**\nResponsible: to be decided")
    solutions = text.index("Possible solutions:", issue3)
    quick = text.index("Immediate opportunities (low-hanging fruit):", solutions)
    issue6 = text.index("**6. Culture, trust and silos**\n", quick)
    assert solutions < text.index("Share interpreters", solutions) \
        < text.index("Pool the travel budget", solutions) < quick
    assert "[source](https://chat.example/m-2)" in text[solutions:quick]
    assert text.count("Share interpreters") == 1  # one kind: the first its hashtags name
    assert "Comments:" in text[issue6:]


async def test_a_tag_command_gives_the_message_one_kind_on_every_issue(harness: Harness) -> None:
    await harness.say("We need shared rooms #wp5 #solution", author="alice")
    await harness.say("!tag 3 5 7 quickwin", author="bob", reply_to="m-1")
    assert harness.replies()[-1] == (
        "Tagged to **3. Efficient use of resources**, **5. Representation and inclusivity**, "
        "**7. Complexity**, #quickwin. It is no longer #solution: a message is one kind of input.")
    await harness.say("!tag 3 solution quickwin", author="bob", reply_to="m-1")
    assert harness.replies()[-1].startswith(
        "A message is one kind of input, not #solution, #quickwin: name one of them.")
    await harness.say("!digest", author="carol")
    text = without_isolates(harness.sent[-1].text)
    assert text.count("“We need shared rooms #wp5 #solution”") == 3  # once under 3, 5 and 7
    assert "Possible solutions:" not in text
    for issue in ("3. Efficient use of resources", "5. Representation and inclusivity",
                  "7. Complexity"):
        assert f"- **{issue}** — 1 input · 1 contributor · 1 channel" in text


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


async def test_every_time_in_a_digest_names_its_zone_across_a_dst_change(
        harness: Harness) -> None:
    await harness.say("Before the change #wp3", author="alice")  # 2019-10-01 12:00 UTC
    harness.clock.set("2019-11-04T15:00:00+00:00")  # Toronto left daylight time on 3 November
    await harness.say("After the change #wp3", author="bob")
    await harness.say("!digest", author="carol")
    text = without_isolates(harness.sent[-1].text)
    assert "Alice in general, 2019-10-01 08:00 EDT: “Before the change #wp3”" in text
    assert "Bob in general, 2019-11-04 10:00 EST: “After the change #wp3”" in text
    assert "until 2019-11-04 10:00 EST" in text.splitlines()[1]


async def test_a_message_stored_with_two_kinds_before_is_listed_once(harness: Harness) -> None:
    # Stored by an earlier version, when a message could be two kinds of input at once.
    legacy = IncomingMessage(harness.room, "old-1", "alice", "Shared rooms", harness.clock.now())
    await harness.storage.save_message(legacy, TagSet((3,), ("quickwin", "solution")),
                                       harness.clock.now())
    await harness.say("!digest", author="carol")
    text = without_isolates(harness.sent[-1].text)
    assert text.count("“Shared rooms”") == 1
    assert text.index("Possible solutions:") < text.index("“Shared rooms”")  # the plan's first


async def test_an_edit_that_names_another_kind_replaces_the_kind(harness: Harness) -> None:
    await harness.say("Shared rooms #wp3", author="alice")
    await harness.say("!tag 3 solution", author="bob", reply_to="m-1")
    await harness.edit("m-1", "Shared rooms #wp3 #quickwin")
    stored = await harness.storage.tags_of(MessageRef("test", "room-1", "m-1"))
    assert stored == TagSet((3,), ("quickwin",))
