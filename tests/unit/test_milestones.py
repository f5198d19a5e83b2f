"""`milestones` and the staff `milestone add|edit|remove` commands, through the real router."""

from __future__ import annotations

import pytest

from bot.messages import Conversation
from bot.reminders.job import send_due_reminders
from bot.storage import Storage
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import Harness, Sent

STAFF = "carol"  # in PLENARY_STAFF of the test settings


async def staff(harness: Harness, text: str) -> str:
    await harness.say(text, author=STAFF)
    return harness.sent[-1].text


async def tick(harness: Harness, at: str) -> list[Sent]:
    harness.clock.set(at)
    before = len(harness.sent)
    await send_due_reminders(harness.svc)
    return [s for s in harness.sent[before:] if s.kind == "send"]


async def test_milestones_lists_upcoming_ones_with_a_countdown(harness: Harness) -> None:
    harness.clock.set("2019-10-25T12:00:00+00:00")
    await harness.say("!milestones")
    lines = harness.sent[-1].text.split("\n")
    assert lines[0] == "**Upcoming milestones**"
    assert lines[1].startswith("- **Summary of public comments")
    assert "· [Details](https://www.icann.org/public-comments/" in lines[1]
    assert "— week of Monday, October 28, 2019 (in 2 days and 16 hours) ·" in lines[1]
    assert lines[2].endswith(
        "— Thursday, November 7, 2019, 10:30\u202fAM EST (in 13 days and 2 hours)")


async def test_milestones_uses_the_asker_s_channel_timezone_and_language(
        database_url: str, plan: WorkPlan, storage: Storage) -> None:
    settings = make_settings(database_url=database_url,
                             channel_timezones="slack:CFR=Europe/Paris",
                             channel_locales="slack:CFR=fr")
    harness = Harness(settings, plan, storage)
    harness.clock.set("2019-11-01T12:00:00+00:00")
    await harness.say("!milestones", where=Conversation("slack", "CFR"))
    text = harness.sent[-1].text
    assert text.startswith("**Prochaines étapes**")
    assert "jeudi 7 novembre 2019, 16:30 CET (dans 6\xa0jours et 2\xa0heures)" in text


async def test_staff_add_a_milestone_and_it_is_reminded_at_each_lead(harness: Harness) -> None:
    harness.clock.set("2019-10-01T12:00:00+00:00")
    answer = await staff(harness, '!milestone add 2019-10-10 09:00 Europe/Paris "Drafting '
                                  'deadline" lead 1d,1h issues 3,#wp5 link https://x.example/d')
    assert answer.startswith("Milestone 1 added: **Drafting deadline**")
    assert "Thursday, October 10, 2019, 3:00\u202fAM EDT" in answer  # shown in the plan's zone
    assert "Reminders 1 day before, 1 hour before in the default targets." in answer
    await harness.say("!milestones")
    assert "· id 1" in harness.sent[-1].text
    [day_before] = await tick(harness, "2019-10-09T07:00:00+00:00")  # 09:00 CEST the day before
    assert day_before.text.startswith("🔔 **Drafting deadline** — in 1 day")
    assert "\n[Details](https://x.example/d)\n" in day_before.text
    assert "issue 3" in day_before.text and "issue 5" in day_before.text
    [hour_before] = await tick(harness, "2019-10-10T06:00:00+00:00")
    assert "in 1 hour" in hour_before.text


async def test_a_milestone_edited_before_its_reminder_is_not_posted_in_its_old_form(
        harness: Harness) -> None:
    harness.clock.set("2019-10-01T12:00:00+00:00")
    await staff(harness, '!milestone add 2019-10-10 15:00 UTC "Old title" lead 1h')
    answer = await staff(harness, '!milestone edit 1 2019-10-11 15:00 "New title"')
    assert answer.startswith("Milestone 1 changed: **New title**")
    assert await tick(harness, "2019-10-10T14:00:00+00:00") == []  # the old time: nothing
    [post] = await tick(harness, "2019-10-11T14:00:00+00:00")
    assert "New title" in post.text and "Old title" not in post.text


async def test_an_edit_of_the_title_alone_keeps_the_time_and_changes_the_post(
        harness: Harness) -> None:
    harness.clock.set("2019-10-01T12:00:00+00:00")
    await harness.say('!milestone add 2019-10-10 15:00 UTC "Old title" lead 1h in here',
                      author=STAFF, where=Conversation("slack", "C9"))
    await staff(harness, '!milestone edit 1 title "Better title" fr "Meilleur titre"')
    [post] = await tick(harness, "2019-10-10T14:00:00+00:00")
    assert "Better title" in post.text
    assert (post.where.platform, post.where.id) == ("slack", "C9")


async def test_a_removed_milestone_is_not_reminded(harness: Harness) -> None:
    harness.clock.set("2019-10-01T12:00:00+00:00")
    await staff(harness, '!milestone add 2019-10-10 15:00 UTC "Call" lead 1h')
    assert (await staff(harness, "!milestone remove 1")).startswith("Milestone 1 removed")
    assert await tick(harness, "2019-10-10T14:00:00+00:00") == []
    assert await harness.storage.reminders.deliveries() == []
    assert "There is no milestone 1" in await staff(harness, "!milestone remove 1")


async def test_an_edit_between_claim_and_send_cancels_the_old_form(harness: Harness) -> None:
    from bot.reminder_values import DeliveryState
    from bot.reminders.schedule import all_schedules, due_between

    harness.clock.set("2019-10-01T12:00:00+00:00")
    await staff(harness, '!milestone add 2019-10-10 15:00 UTC "Call" lead 1h')
    harness.clock.set("2019-10-10T14:00:00+00:00")
    store = harness.storage.reminders
    [schedule] = [s for s in all_schedules(harness.plan, await store.active_milestones())
                  if s.key == "db:1"]
    [due] = due_between(schedule, harness.clock.now() - harness.settings.grace,
                        harness.clock.now(), ("console",))
    assert await store.claim(due.key, 1, due.fire_at, DeliveryState.CLAIMED, "me",
                             harness.clock.now(), harness.clock.now()) is not None
    await staff(harness, '!milestone edit 1 "Call (moved)" 2019-10-12 15:00')
    [claimed] = await store.deliveries()
    assert not await store.start_sending(claimed, "me", harness.clock.now())
    assert (await store.deliveries())[0].state is DeliveryState.CANCELLED


async def test_a_weekly_call_is_reminded_at_14_local_across_both_dst_changes(
        harness: Harness) -> None:
    harness.clock.set("2019-10-20T12:00:00+00:00")
    answer = await staff(harness, '!milestone add every Tuesday 14:00 America/Toronto '
                                  '"Working group call" until 2020-03-31 lead 0')
    assert "every Tuesday at 2:00\u202fPM (America/Toronto)" in answer
    expected = {"2019-10-29": "18:00", "2019-11-05": "19:00", "2020-03-03": "19:00",
                "2020-03-10": "18:00"}
    posted: list[str] = []
    for day, utc_time in expected.items():
        assert await tick(harness, f"{day}T{utc_time}:00+00:00") != []
        posted.append(day)
        # The other hour (the one a DST bug would pick) has nothing more.
        other = "18:00" if utc_time == "19:00" else "19:00"
        assert await tick(harness, f"{day}T{other}:00+00:00") == []
    assert posted == list(expected)


async def test_a_recurrence_ends_on_its_until_day(harness: Harness) -> None:
    harness.clock.set("2019-10-20T12:00:00+00:00")
    await staff(harness, '!milestone add every day 10:00 UTC "Stand-up" until 2019-10-22 lead 0')
    fired = [bool(await tick(harness, f"2019-10-{d}T10:00:00+00:00")) for d in (21, 22, 23)]
    assert fired == [True, True, False]


async def test_only_staff_may_manage_milestones(harness: Harness) -> None:
    await harness.say('!milestone add 2030-01-01 10:00 "Mine"', author="mallory")
    assert harness.sent[-1].text.startswith("Only staff can use !milestone")
    assert await harness.storage.reminders.active_milestones() == []


async def test_plan_milestones_are_changed_in_the_plan_file(harness: Harness) -> None:
    answer = await staff(harness, "!milestone remove icann66")
    assert "comes from the work plan file" in answer


@pytest.mark.parametrize(("command", "expected"), [
    ("!milestone", "Say `add`, `edit <id>` or `remove <id>`."),
    ('!milestone add "No date"', "Say when:"),
    ("!milestone add 2019-11-07 10:30", "Give the milestone a title"),
    ('!milestone add 2019-13-07 "X"', "`2019-13-07` is not a date"),
    ('!milestone add 2019-11-07 25:00 "X"', "`25:00` is not a time"),
    ('!milestone add 2019-11-07 "X" lead 7x', "`7x` is not a lead time"),
    ('!milestone add 2019-11-07 "X" in nowhere', "`nowhere` is not a channel"),
    ('!milestone add 2019-11-07 "X" issues 42', "`42` is not an issue"),
    ('!milestone add every Funday 14:00 "X"', "as a recurrence"),
    ('!milestone add 2019-01-01 10:00 "X"', "That date has passed"),
    ('!milestone add 2019-11-07 "X" lead', "`lead` needs a value"),
    ('!milestone add every monday 10:00 "Weekly" until 2019-01-01',
     "It would never come round again: `until 2019-01-01` has passed."),
    ('!milestone add 2019-11-07 10:30 Mars/Olympus "X"', "`Mars/Olympus` is not a timezone"),
    ('!milestone add every monday 10:00 Mars/Olympus "X"', "`Mars/Olympus` is not a timezone"),
    ("!milestone edit 99 \"X\"", "There is no milestone 99"),
])
async def test_bad_milestone_commands_get_one_friendly_line(
        harness: Harness, command: str, expected: str) -> None:
    answer = await staff(harness, command)
    assert expected in answer
    assert "Sorry, that failed" not in answer
    assert await harness.storage.reminders.active_milestones() == []


async def test_mass_mentions_in_titles_do_not_ping(harness: Harness) -> None:
    await staff(harness, '!milestone add 2019-10-10 15:00 UTC "Call @room **now**" lead 1h')
    [post] = await tick(harness, "2019-10-10T14:00:00+00:00")
    assert "@room" not in post.text and "@\u2060room" in post.text
    assert "\\*\\*now\\*\\*" in post.text


async def test_an_edit_that_ends_a_recurrence_in_the_past_is_refused_and_changes_nothing(
        harness: Harness) -> None:
    harness.clock.set("2019-10-01T12:00:00+00:00")
    added = await staff(harness, '!milestone add every monday 10:00 UTC "Weekly call"')
    assert added.startswith("Milestone 1 added")
    answer = await staff(harness, "!milestone edit 1 until 2019-09-30")
    assert "`until 2019-09-30` has passed" in answer
    [kept] = await harness.storage.reminders.active_milestones()
    assert kept.draft.until is None and kept.revision == 1
    assert "in 5 days" in await staff(harness, "!milestones")  # still listed, still reminded
