"""Recurrences and lead times in local time, across the 2019/2020 daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.recurrence import (
    fire_time,
    local_instant,
    parse_cron,
    parse_recurrence,
    parse_time,
)

TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def weekly_between(text: str, start: str, end: str) -> list[datetime]:
    recurrence, zone = parse_recurrence(text)
    return list(recurrence.between(utc(start), utc(end), zone or TORONTO))


def test_a_weekly_call_keeps_its_local_time_across_the_november_and_march_changes() -> None:
    calls = weekly_between("every Tuesday 14:00 America/Toronto",
                           "2019-10-22T00:00", "2020-03-18T00:00")
    local = {c.astimezone(TORONTO).strftime("%H:%M") for c in calls}
    assert local == {"14:00"}
    by_day = {c.date(): c.strftime("%H:%M") for c in calls}
    assert by_day[date(2019, 10, 29)] == "18:00"  # EDT, before 3 November
    assert by_day[date(2019, 11, 5)] == "19:00"  # EST after the November change
    assert by_day[date(2020, 3, 3)] == "19:00"  # still EST
    assert by_day[date(2020, 3, 10)] == "18:00"  # EDT after 8 March
    assert len(calls) == 22  # one a week, none lost or doubled at the changes


def test_a_utc_recurrence_does_not_move_with_anyone_s_daylight_saving() -> None:
    calls = weekly_between("every Tuesday 14:00 UTC", "2019-10-22T00:00", "2020-04-01T00:00")
    assert {c.strftime("%H:%M") for c in calls} == {"14:00"}
    assert {c.astimezone(TORONTO).strftime("%H:%M") for c in calls} == {"09:00", "10:00"}


def test_a_time_in_the_spring_gap_is_shifted_forward_by_the_gap() -> None:
    recurrence, _ = parse_recurrence("every day 02:30")
    calls = list(recurrence.between(utc("2020-03-07T00:00"), utc("2020-03-10T00:00"), TORONTO))
    local = [c.astimezone(TORONTO) for c in calls]
    assert [(c.day, c.strftime("%H:%M %Z")) for c in local] == [
        (7, "02:30 EST"), (8, "03:30 EDT"), (9, "02:30 EDT")]


def test_a_time_in_the_autumn_fold_fires_once_at_its_first_occurrence() -> None:
    recurrence, _ = parse_recurrence("every day 01:30")
    calls = list(recurrence.between(utc("2019-11-02T12:00"), utc("2019-11-04T12:00"), TORONTO))
    assert calls == [utc("2019-11-03T05:30"), utc("2019-11-04T06:30")]  # EDT, then EST


def test_two_gap_times_that_land_on_one_instant_fire_once() -> None:
    recurrence = parse_cron("0,30 2,3 8 3 *")
    calls = list(recurrence.between(utc("2020-03-08T00:00"), utc("2020-03-09T00:00"), TORONTO))
    assert [c.astimezone(TORONTO).strftime("%H:%M") for c in calls] == ["03:00", "03:30"]


@pytest.mark.parametrize(("text", "cron"), [
    ("every Tuesday 14:00", "0 14 * * 2"),
    ("every tuesdays and thursdays 9:30", "30 9 * * 2,4"),
    ("every weekday 08:15", "15 8 * * 1,2,3,4,5"),
    ("every day 7h00", "0 7 * * *"),
    ("chaque mardi 14:00", "0 14 * * 2"),
    ("0 14 * * TUE", "0 14 * * tue"),
    ("*/15 9-17 1,15 jan-mar mon-fri", "*/15 9-17 1,15 jan-mar mon-fri"),
])
def test_recurrences_are_read_from_phrases_and_crontabs(text: str, cron: str) -> None:
    assert parse_recurrence(text)[0].cron == cron


@pytest.mark.parametrize("text", [
    "every Tuesday", "every blursday 14:00", "every Tuesday 25:00", "0 14 * *",
    "61 * * * *", "0 14 * * 8", "0 14 32 * *", "5-1 * * * *", "*/0 * * * *", "",
])
def test_bad_recurrences_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError):
        parse_recurrence(text)


def test_cron_day_and_weekday_together_mean_either_as_in_cron() -> None:
    recurrence = parse_cron("0 12 13 * fri")
    days = [c.date() for c in recurrence.between(utc("2019-09-01T00:00"),
                                                 utc("2019-10-01T00:00"), ZoneInfo("UTC"))]
    assert date(2019, 9, 13) in days and date(2019, 9, 6) in days and date(2019, 9, 20) in days
    assert len(days) == 4


def test_until_ends_a_recurrence_on_that_local_day() -> None:
    recurrence, _ = parse_recurrence("every day 23:30")
    calls = list(recurrence.between(utc("2019-11-01T12:00"), utc("2019-11-10T00:00"), TORONTO,
                                    until=date(2019, 11, 3)))
    assert [c.astimezone(TORONTO).day for c in calls] == [1, 2, 3]


def test_next_after_finds_the_next_call() -> None:
    recurrence, _ = parse_recurrence("every Tuesday 14:00")
    assert recurrence.next_after(utc("2019-11-05T19:00"), TORONTO) == utc("2019-11-12T19:00")


def test_last_at_or_before_finds_the_occurrence_a_periodic_job_is_due_for() -> None:
    recurrence = parse_cron("0 9 * * mon")
    monday = utc("2019-11-04T14:00")  # 09:00 EST
    assert recurrence.last_at_or_before(monday, TORONTO) == monday
    assert recurrence.last_at_or_before(monday - timedelta(seconds=1), TORONTO) == \
        utc("2019-10-28T13:00")  # 09:00 EDT the week before
    assert parse_cron("0 0 30 2 *").last_at_or_before(monday, TORONTO) is None


def test_day_leads_follow_the_wall_clock_and_hour_leads_elapsed_time() -> None:
    icann66 = local_instant(date(2019, 11, 7), time(10, 30), TORONTO)
    assert icann66 == utc("2019-11-07T15:30")
    # Seven days earlier is still 10:30 on the wall clock, although that was daylight time.
    assert fire_time(icann66, timedelta(days=7), TORONTO) == utc("2019-10-31T14:30")
    assert fire_time(icann66, timedelta(days=1), TORONTO) == utc("2019-11-06T15:30")
    assert fire_time(icann66, timedelta(hours=1), TORONTO) == utc("2019-11-07T14:30")
    # 1 h before 03:30 on the spring-forward day is 01:30, one hour of real time earlier.
    after_gap = local_instant(date(2020, 3, 8), time(3, 30), TORONTO)
    assert fire_time(after_gap, timedelta(hours=1), TORONTO).astimezone(TORONTO).hour == 1


@pytest.mark.parametrize(("word", "expected"), [
    ("14:00", time(14, 0)), ("9:05", time(9, 5)), ("10h30", time(10, 30)), ("24:00", None),
    ("noon", None), ("1430", None)])
def test_times_of_day(word: str, expected: time | None) -> None:
    assert parse_time(word) == expected
