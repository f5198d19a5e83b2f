"""`iam`: a member's stakeholder group, declared or set by staff, kept and erased with them."""

from __future__ import annotations

from bot.handlers.groups import member_named
from bot.lens_values import Dimension
from bot.workplan import DEFAULT_GROUPS, WorkPlan
from tests.fakes import Harness


async def test_iam_sets_a_group_case_insensitively_and_alone_shows_it(harness: Harness) -> None:
    await harness.say("!iam", author="alice")
    assert harness.replies()[-1].startswith("You have not said your stakeholder group yet. "
                                            "Groups: ALAC, ASO, ccNSO, GAC, GNSO,")
    await harness.say("!iam gnso", author="alice")
    assert harness.replies()[-1] == "Done: you belong to GNSO."
    await harness.say("!iam icann-org", author="bob")
    assert harness.replies()[-1] == "Done: you belong to ICANN org."
    await harness.say("!iam", author="alice")
    assert harness.replies()[-1].startswith("You belong to GNSO. Groups: ALAC,")
    assert await harness.storage.inclusion.group_of("test", "alice") == "GNSO"


async def test_an_unknown_group_gets_one_line_listing_the_valid_ones(harness: Harness) -> None:
    await harness.say("!iam IETF", author="alice")
    assert harness.replies()[-1] == ("There is no group `IETF`. Groups: "
                                     + ", ".join(DEFAULT_GROUPS) + ".")
    assert await harness.storage.inclusion.group_of("test", "alice") is None


async def test_staff_set_anyone_s_group_and_members_cannot(harness: Harness) -> None:
    await harness.say("!iam @dave GAC", author="bob")
    assert harness.replies()[-1].startswith("Only staff can use !iam @member.")
    assert await harness.storage.inclusion.group_of("test", "dave") is None
    await harness.say("!iam @dave GAC", author="carol")
    assert harness.replies()[-1] == "Done: `dave` belongs to GAC."
    assert await harness.storage.inclusion.group_of("test", "dave") == "GAC"
    assert await harness.storage.inclusion.group_of("test", "carol") is None
    await harness.say("!iam @dave", author="carol")
    assert harness.replies()[-1].startswith("You belong to GAC.")


async def test_command_words_in_other_languages(harness: Harness) -> None:
    await harness.say("!lang es", author="alice")
    await harness.say("!soy gac", author="alice")
    assert harness.replies()[-1] == "Hecho: perteneces a GAC."
    await harness.say("!группа ssac", author="bob")
    assert await harness.storage.inclusion.group_of("test", "bob") == "SSAC"


async def test_forget_me_erases_the_group(harness: Harness) -> None:
    await harness.say("!iam ALAC", author="alice")
    await harness.say("!forget-me", author="alice")
    assert await harness.storage.inclusion.group_of("test", "alice") is None


def test_member_named_per_platform() -> None:
    assert member_named("@U0123", "slack") == "U0123"
    assert member_named("<@U0123>", "slack") == "U0123"
    assert member_named("@alice:example.org", "matrix") == "@alice:example.org"
    assert member_named("GNSO", "slack") is None
    assert member_named("@", "console") is None


def test_the_plan_names_its_groups_and_rejects_a_duplicate(plan: WorkPlan) -> None:
    assert plan.groups == DEFAULT_GROUPS
    assert plan.find_group("CCNSO") == "ccNSO"
    assert plan.find_group("icann org") == "ICANN org"
    assert plan.find_group("ietf") is None
    raw = plan.model_dump(mode="json")
    try:
        WorkPlan.model_validate({**raw, "groups": ["GAC", "gac"]})
    except ValueError as exc:
        assert "duplicate group" in str(exc)
    else:
        raise AssertionError("a duplicate group was accepted")
    custom = WorkPlan.model_validate({**raw, "groups": ["IETF", "W3C"], "languages": ["en"]})
    assert custom.find_group("w3c") == "W3C"


async def test_the_lens_follows_a_group_declared_or_set_after_the_input(harness: Harness
                                                                        ) -> None:
    """Each tag carries its author's group: a declaration rewrites the tags already there,
    and a tag added later (by command or reaction) takes the group as it then is."""
    await harness.say("Share interpreters #wp3", author="alice")
    await harness.say("Pool the travel budget #wp3", author="dave")
    await harness.say("Rotate the chairs", author="erin")
    await harness.say("!iam GNSO", author="alice")
    await harness.say("!iam @dave GAC", author="carol")
    await harness.say("!iam ALAC", author="erin")
    await harness.say("!tag 3", author="carol", reply_to="m-3")
    await harness.react("m-1", "5️⃣", author="erin")
    await harness.say("!iam ccNSO", author="alice")  # changed her mind: the lens follows
    counts, _ = await harness.storage.inclusion.lens_counts([3, 5])
    groups = {(c.issue, c.value): (c.inputs, c.contributors) for c in counts
              if c.dimension is Dimension.GROUP}
    assert groups == {(3, "ccNSO"): (1, 1), (3, "GAC"): (1, 1), (3, "ALAC"): (1, 1),
                      (5, "ccNSO"): (1, 1)}
