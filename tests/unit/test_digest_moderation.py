"""Staff keep the work plan's columns and moderate input: workplan set, hide, tag/untag on
any message; every change lands in the audit log with who and when."""

from __future__ import annotations

import json

from bot.digest_values import DigestFilters
from tests.fakes import Harness


async def test_staff_set_a_column_shown_by_workplan_and_in_digests(harness: Harness) -> None:
    await harness.say("!workplan set 3 responsible Jane Doe (ICANN org)", author="carol")
    assert harness.replies()[-1] == ("**3. Efficient use of resources** — Responsible: "
                                     "“Jane Doe (ICANN org)” (was “to be decided”). Recorded.")
    await harness.say("!workplan set wp3 timeline Q1 2020", author="carol")
    await harness.say("!workplan")
    table = harness.replies()[-1]
    assert ("Responsible: Jane Doe (ICANN org) · Resources: to be decided · Timeline: Q1 2020"
            in table)
    await harness.say("Pool the travel budget #wp3")
    await harness.say("!digest", author="carol")
    assert "Responsible: Jane Doe (ICANN org) · Resources: to be decided · Timeline: Q1 2020" \
        in harness.sent[-1].text
    await harness.say("!digest all as json", author="carol")
    attachment = harness.sent[-1].attachment
    assert attachment is not None
    issue3 = json.loads(attachment.content)["issues"][2]
    assert (issue3["responsible"], issue3["timeline"]) == ("Jane Doe (ICANN org)", "Q1 2020")


async def test_column_changes_are_audited_with_who_and_when(harness: Harness) -> None:
    await harness.say("!workplan set 5 resources Two interpreters", author="carol")
    harness.clock.advance(hours=1)
    await harness.say("!workplan set 5 resources Three interpreters", author="carol")
    entries = [e for e in await harness.storage.digests.audit_log() if e.action == "workplan"]
    assert [(e.actor_id, e.detail) for e in entries] == [
        ("carol", "#5 resources: '' → 'Two interpreters'"),
        ("carol", "#5 resources: 'Two interpreters' → 'Three interpreters'")]
    assert entries[1].at > entries[0].at


async def test_workplan_set_is_for_staff_and_checks_its_words(harness: Harness) -> None:
    await harness.say("!workplan set 3 responsible Mallory", author="mallory")
    assert harness.replies()[-1].startswith("Only staff can use !workplan set")
    await harness.say("!workplan set 3 budget lots", author="carol")
    assert harness.replies()[-1].startswith("`budget` is not a column of the work plan")
    await harness.say("!workplan set 3", author="carol")
    assert harness.replies()[-1].startswith("Say the issue, the column and the new text")
    await harness.say("!workplan set 12 timeline soon", author="carol")
    assert harness.replies()[-1].startswith("There is no issue `12`")
    await harness.say("!workplan")
    assert "Mallory" not in harness.replies()[-1]


async def test_hide_by_link_keeps_an_input_out_of_digests_and_figures(harness: Harness
                                                                     ) -> None:
    await harness.say("Buy my crypto #wp3", author="spammer")
    await harness.say("Pool the travel budget #wp3", author="alice")
    await harness.say("!hide https://chat.example/m-1 spam", author="carol")
    assert harness.replies()[-1] == ("Hidden from digests. Reason: spam. Recorded in the audit "
                                     "log.")
    await harness.say("!digest all", author="carol")
    text = harness.sent[-1].text
    assert "Buy my crypto" not in text and "Pool the travel budget" in text
    assert "**3. Efficient use of resources** — 1 input · 1 contributor" in text
    for fmt in ("csv", "json", "md", "html"):
        await harness.say(f"!digest all as {fmt}", author="carol")
        attachment = harness.sent[-1].attachment
        assert attachment is not None and b"Buy my crypto" not in attachment.content, fmt
    figures = await harness.storage.digests.figures(DigestFilters())
    assert [(f.issue, f.inputs) for f in figures] == [(3, 1)]


async def test_hide_by_id_or_reply_and_its_friendly_errors(harness: Harness) -> None:
    await harness.say("Off topic #wp6", author="bob")
    await harness.say("Also off topic #wp6", author="bob")
    await harness.say("!hide m-1 off-topic", author="carol")
    assert harness.replies()[-1].startswith("Hidden from digests")
    await harness.say("!hide m-1 again", author="carol")
    assert harness.replies()[-1] == "That message is already hidden from digests; nothing changed."
    await harness.say("!hide duplicate of m-1", author="carol", reply_to="m-2")
    assert harness.replies()[-1].startswith("Hidden from digests. Reason: duplicate of m-1.")
    await harness.say("!hide m-404 spam", author="carol")
    assert harness.replies()[-1].startswith("I can't find a stored message for `m-404`")
    await harness.say("!hide m-1", author="carol")
    assert harness.replies()[-1].startswith("Give a reason")
    await harness.say("!hide m-1 spam", author="mallory")
    assert harness.replies()[-1].startswith("Only staff can use !hide")
    hides = [(e.actor_id, e.message_id, e.detail)
             for e in await harness.storage.digests.audit_log() if e.action == "hide"]
    assert hides == [("carol", "m-1", "off-topic"), ("carol", "m-2", "duplicate of m-1")]


async def test_staff_retag_any_message_and_it_is_audited(harness: Harness) -> None:
    await harness.say("Interpreters for every call #wp3", author="alice")
    await harness.say("!tag 5", author="carol", reply_to="m-1")
    await harness.say("!untag 3", author="carol", reply_to="m-1")
    assert harness.replies()[-1].startswith("Removed the tag")
    await harness.say("!untag 5", author="mallory", reply_to="m-1")
    assert harness.replies()[-1] == "Only the message's author or staff can remove its tags."
    assert await harness.storage.messages_for(5) != []
    assert await harness.storage.messages_for(3) == []
    actions = [(e.actor_id, e.action, e.message_id)
               for e in await harness.storage.digests.audit_log()]
    assert actions == [("carol", "tag", "m-1"), ("carol", "untag", "m-1")]


async def test_a_deleted_message_cannot_be_hidden(harness: Harness) -> None:
    await harness.say("Soon gone #wp3", author="bob")
    await harness.delete("m-1")
    await harness.say("!hide m-1 spam", author="carol")
    assert harness.replies()[-1].startswith("I can't find a stored message for `m-1`")
