"""Tagging through the real router: hashtags, reactions, tag/untag, edits, deletions."""

from __future__ import annotations

import asyncio

from bot.errors import NotFound
from bot.messages import HANDLED, MessageRef, TagsChosen
from bot.tags import TagSet
from tests.fakes import Harness


def ref(harness: Harness, message_id: str) -> MessageRef:
    return MessageRef(harness.room.platform, harness.room.id, message_id)


async def test_hashtags_tag_issues_and_kind_whatever_case_accents_or_width(
        harness: Harness) -> None:
    msg = await harness.say("Budget first #Ressources #ＷＰ５ #SOLUTION")
    assert await harness.storage.tags_of(msg.ref) == TagSet((3, 5), ("solution",))


async def test_accented_and_plain_spellings_are_one_alias(harness: Harness) -> None:
    first = await harness.say("#priorités")
    second = await harness.say("#PRIORITES")
    assert (await harness.storage.tags_of(first.ref)).issues == (1,)
    assert (await harness.storage.tags_of(second.ref)).issues == (1,)


async def test_unknown_hashtags_and_mid_word_hashes_are_ordinary_words(harness: Harness) -> None:
    msg = await harness.say("C# is fine, see https://x.example/#wp3 and #notanissue")
    assert await harness.storage.tags_of(msg.ref) == TagSet()
    assert await harness.storage.count_messages() == 1  # stored all the same: taggable later


async def test_a_tag_is_acknowledged_with_one_reaction(harness: Harness) -> None:
    await harness.say("#wp1 #solution set priorities")
    await harness.say("no tag here")
    reactions = [s for s in harness.sent if s.kind == "react"]
    assert [(r.text, r.reply_to) for r in reactions] == [("✅", "m-1")]
    assert harness.replies() == []


async def test_acknowledging_by_reply_when_configured(harness: Harness) -> None:
    settings = harness.settings.model_copy(update={"tag_ack": "reply"})
    replying = Harness(settings, harness.plan, harness.storage)
    await replying.say("#wp2 scope it")
    assert replying.replies() == ["Tagged to **2. Precision in scoping the work**."]
    assert [s.reply_to for s in replying.sent] == ["m-1"]


async def test_the_same_message_delivered_twice_is_stored_and_acknowledged_once(
        harness: Harness) -> None:
    await asyncio.gather(*(harness.say("#wp3 reuse staff", message_id="dup") for _ in range(4)))
    assert await harness.storage.count_messages() == 1
    assert await harness.storage.messages_for(issue=3) == [ref(harness, "dup")]
    assert len([s for s in harness.sent if s.kind == "react"]) == 1


async def test_reaction_tags_and_removing_it_untags(harness: Harness) -> None:
    msg = await harness.say("Consensus needs clearer rules")
    await harness.react(msg.message_id, "8️⃣")
    assert (await harness.storage.tags_of(msg.ref)).issues == (8,)
    await harness.unreact(msg.message_id, "8️⃣")
    assert (await harness.storage.tags_of(msg.ref)).issues == ()


async def test_slack_reaction_names_and_keycaps_without_variation_selector_work(
        harness: Harness) -> None:
    msg = await harness.say("x")
    await harness.react(msg.message_id, ":seven:")
    await harness.react(msg.message_id, "4\u20e3")
    assert (await harness.storage.tags_of(msg.ref)).issues == (4, 7)


async def test_removing_a_reaction_keeps_the_same_tag_given_by_hashtag(harness: Harness) -> None:
    msg = await harness.say("#wp6 silos everywhere")
    await harness.react(msg.message_id, "6️⃣")
    await harness.unreact(msg.message_id, "6️⃣")
    assert (await harness.storage.tags_of(msg.ref)).issues == (6,)


async def test_tag_command_as_a_reply_tags_the_replied_to_message(harness: Harness) -> None:
    target = await harness.say("Board and community should meet monthly")
    await harness.say("!tag 4 collab", author="bob", reply_to=target.message_id)
    assert harness.replies()[-1] == (
        "Tagged to **4. Roles and responsibilities, and a holistic view of ICANN**, #collab.")
    assert await harness.storage.tags_of(target.ref) == TagSet((4,), ("collab",))


async def test_tagging_twice_says_it_was_already_tagged(harness: Harness) -> None:
    target = await harness.say("x")
    await harness.say("!tag 3", reply_to=target.message_id)
    await harness.say("!tag #wp3", reply_to=target.message_id)
    assert harness.replies()[-1] == "Already tagged: **3. Efficient use of resources**."


async def test_tag_without_a_reply_explains_how(harness: Harness) -> None:
    await harness.say("!tag 3")
    assert harness.replies()[-1].startswith("Reply to the message you want to change")
    assert "Usage: `!tag <issue> [kind]`" in harness.replies()[-1]


async def test_tag_with_an_unknown_issue_suggests_close_ones(harness: Harness) -> None:
    target = await harness.say("x")
    await harness.say("!tag resourses", reply_to=target.message_id)
    answer = harness.replies()[-1]
    assert answer.startswith("There is no issue `resourses`: the work plan has issues 1-8")
    assert "#resources" in answer
    assert await harness.storage.tags_of(target.ref) == TagSet()


async def test_tag_of_a_message_never_seen_says_so(harness: Harness) -> None:
    await harness.say("!tag 3", reply_to="not-stored")
    assert harness.replies()[-1].startswith("I don't have that message")


async def test_untag_by_the_author(harness: Harness) -> None:
    target = await harness.say("#wp3 #wp5 more staff")
    await harness.say("!untag 5", reply_to=target.message_id)
    assert harness.replies()[-1] == "Removed the tag **5. Representation and inclusivity**."
    assert (await harness.storage.tags_of(target.ref)).issues == (3,)


async def test_untag_by_someone_else_is_refused_but_staff_may(harness: Harness) -> None:
    target = await harness.say("#wp3 more staff")
    await harness.say("!untag 3", author="mallory", reply_to=target.message_id)
    assert harness.replies()[-1] == "Only the message's author or staff can remove its tags."
    assert (await harness.storage.tags_of(target.ref)).issues == (3,)
    await harness.say("!untag 3", author="carol", reply_to=target.message_id)
    assert (await harness.storage.tags_of(target.ref)).issues == ()


async def test_an_edit_rereads_hashtags_and_keeps_other_tags(harness: Harness) -> None:
    msg = await harness.say("#wp1 first draft #solution")
    await harness.react(msg.message_id, "2️⃣")
    await harness.edit(msg.message_id, "second draft #wp7 #quickwin")
    assert await harness.storage.tags_of(msg.ref) == TagSet((2, 7), ("quickwin",))
    stored = await harness.storage.message(msg.ref)
    assert stored is not None and stored.text == "second draft #wp7 #quickwin"
    assert stored.edited_at == harness.clock.now()


async def test_a_deletion_removes_the_message_and_a_replay_cannot_bring_it_back(
        harness: Harness) -> None:
    msg = await harness.say("#wp3 secret", message_id="gone")
    await harness.delete("gone")
    assert await harness.storage.message(msg.ref) is None
    assert await harness.storage.messages_for(issue=3) == []
    await harness.say("#wp3 secret", message_id="gone")  # a late redelivery
    await harness.react("gone", "3️⃣")
    assert await harness.storage.message(msg.ref) is None
    assert await harness.storage.messages_for(issue=3) == []


async def test_forget_me_erases_only_the_askers_messages(harness: Harness) -> None:
    await harness.say("#wp1 a", author="dave")
    await harness.say("#wp2 b", author="dave")
    await harness.say("#wp3 c", author="erin")
    await harness.say("!forget-me", author="dave")
    assert harness.replies()[-1] == "Done: I erased 2 messages of yours and their tags."
    # the command itself is not input: only erin's message is left
    assert await harness.storage.count_messages() == 1
    assert await harness.storage.messages_for(issue=1) == []


async def test_a_tag_by_reaction_stays_while_anyone_still_reacts(harness: Harness) -> None:
    msg = await harness.say("Interpretation for every call")
    await harness.react(msg.message_id, "5️⃣", author="bob")
    await harness.react(msg.message_id, "5️⃣", author="dave")
    await harness.unreact(msg.message_id, "5️⃣", author="bob")
    assert (await harness.storage.tags_of(msg.ref)).issues == (5,)
    await harness.unreact(msg.message_id, "5️⃣", author="dave")
    assert (await harness.storage.tags_of(msg.ref)).issues == ()


async def test_forget_me_also_takes_back_the_askers_reactions(harness: Harness) -> None:
    msg = await harness.say("Consensus needs clearer rules")
    await harness.react(msg.message_id, "8️⃣", author="bob")
    await harness.say("!forget-me", author="bob")
    assert harness.replies()[-1] == "Done: I erased 0 messages of yours and their tags."
    assert (await harness.storage.tags_of(msg.ref)).issues == ()
    assert await harness.storage.count_messages() == 1  # alice's message stays


async def test_tags_chosen_in_a_form_are_stored_and_confirmed_privately(harness: Harness) -> None:
    msg = await harness.say("an idea without hashtags")
    chosen = TagsChosen(harness.room, msg.message_id, "bob", (4, 6), ("solution",),
                        harness.clock.now())
    assert await harness.router.handle([chosen]) == [HANDLED]
    assert await harness.storage.tags_of(msg.ref) == TagSet((4, 6), ("solution",))
    assert harness.sent[-1].kind == "private" and harness.sent[-1].user_id == "bob"
    assert harness.sent[-1].text.startswith("Tagged to **4. ")
    await harness.router.handle([chosen])  # chosen again: said so, nothing added
    assert harness.sent[-1].text.startswith("Already tagged")


async def test_tags_chosen_for_a_message_not_stored_fail_with_a_reason(harness: Harness) -> None:
    [outcome] = await harness.router.handle([TagsChosen(harness.room, "never-seen", "bob", (2,),
                                                        (), harness.clock.now())])
    assert isinstance(outcome.error, NotFound) and not outcome.outage
    assert outcome.error.user_text == harness.svc.tr("tag.unknown_message")
    assert harness.sent == []
