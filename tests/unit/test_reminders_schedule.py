"""Pure due times: plan milestones as schedules, windows, whole days, and plan validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.errors import ConfigError
from bot.reminder_values import DeliveryKey, MilestoneDraft, StoredMilestone, Title
from bot.reminders.schedule import due_between, from_database, from_plan, next_occurrence
from bot.workplan import Milestone, WorkPlan, load_workplan
from tests.conftest import SHIPPED_PLAN

TORONTO = ZoneInfo("America/Toronto")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def milestone(**fields: Any) -> Milestone:
    return Milestone.model_validate({"key": "m", "title": {"en": "M", "fr": "M"}, **fields})


def test_a_reminder_is_due_in_its_window_end_included_start_excluded(plan: WorkPlan) -> None:
    icann66 = from_plan(plan.milestones[1], plan.zone)
    fire = utc("2019-11-06T15:30")
    assert [d.fire_at for d in due_between(icann66, fire - timedelta(minutes=1), fire,
                                           ("console",))] == [fire]
    assert due_between(icann66, fire, fire + timedelta(minutes=1), ("console",)) == []


def test_one_due_reminder_per_target(plan: WorkPlan) -> None:
    icann66 = from_plan(plan.milestones[1], plan.zone)
    due = due_between(icann66, utc("2019-11-06T15:00"), utc("2019-11-06T16:00"),
                      ("slack:C1", "matrix:!r:x"))
    assert [d.target for d in due] == ["matrix:!r:x", "slack:C1"]
    assert len({d.key.idempotency_key for d in due}) == 2


def test_a_week_milestone_starts_at_local_midnight_on_its_monday(plan: WorkPlan) -> None:
    summary = from_plan(plan.milestones[0], plan.zone)
    assert summary.span == "week"
    [due] = due_between(summary, utc("2019-10-28T00:00"), utc("2019-10-29T00:00"), ("console",))
    assert due.fire_at == utc("2019-10-28T04:00") and due.lead == timedelta(0)


def test_reminders_timed_before_a_milestone_was_defined_never_existed() -> None:
    added_at = utc("2019-10-09T20:00")
    stored = StoredMilestone(7, MilestoneDraft(Title("Late add", "Ajout tardif"), "UTC",
                                               starts_at=utc("2019-10-10T15:00"),
                                               leads=("1d", "1h")), 1, "carol", added_at)
    schedule = from_database(stored)
    due = due_between(schedule, utc("2019-10-01T00:00"), utc("2019-10-11T00:00"), ("console",))
    assert [d.lead for d in due] == [timedelta(hours=1)]  # the 1-day one was already past


def test_a_stored_milestone_without_leads_gets_the_default_ones() -> None:
    stored = StoredMilestone(1, MilestoneDraft(Title("X", "X"), "UTC",
                                               starts_at=utc("2019-10-10T15:00")), 1, "c",
                             utc("2019-10-01T00:00"))
    assert sorted(from_database(stored).leads) == [timedelta(hours=1), timedelta(days=1)]


def test_a_plan_recurrence_takes_the_zone_it_names(plan: WorkPlan) -> None:
    call = from_plan(milestone(recurrence="every Tuesday 14:00 Europe/Paris", lead=["0"]),
                     plan.zone)
    assert call.zone.key == "Europe/Paris"
    assert next_occurrence(call, utc("2019-10-01T00:00")) == utc("2019-10-01T12:00")


def test_next_occurrence_is_none_once_a_milestone_is_over(plan: WorkPlan) -> None:
    icann66 = from_plan(plan.milestones[1], plan.zone)
    assert next_occurrence(icann66, utc("2019-11-07T15:30")) == utc("2019-11-07T15:30")
    assert next_occurrence(icann66, utc("2019-11-07T15:31")) is None


def test_delivery_keys_are_deterministic_and_distinct() -> None:
    key = DeliveryKey("plan:icann66", utc("2019-11-07T15:30"), 3600, "console")
    assert key.idempotency_key == DeliveryKey("plan:icann66", utc("2019-11-07T15:30"), 3600,
                                              "console").idempotency_key
    assert key.idempotency_key != DeliveryKey("plan:icann66", utc("2019-11-07T15:30"), 86400,
                                              "console").idempotency_key


@pytest.mark.parametrize(("fields", "problem"), [
    ({"at": "2019-11-07T10:30", "recurrence": "every Tuesday 14:00"}, "exactly one of"),
    ({"at": "2019-11-07T10:30", "until": "2019-12-01"}, "`until` ends a recurrence"),
    ({"recurrence": "every Funday 14:00"}, "not a day of the week"),
    ({"recurrence": "every Tuesday 14:00 UTC", "timezone": "Europe/Paris"}, "recurrence says"),
    ({"at": "2019-11-07T10:30", "targets": ["irc:#x"]}, "is not a target"),
])
def test_bad_milestones_in_the_plan_are_refused(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        milestone(**fields)


def test_the_commented_recurring_example_of_the_shipped_plan_is_valid(tmp_path: Path) -> None:
    lines = SHIPPED_PLAN.read_text(encoding="utf-8").split("\n")
    start = lines.index("  # - key: wg-call")
    example = ["  " + line[4:] for line in lines[start:] if line.startswith("  # ")]
    path = tmp_path / "plan.yaml"
    path.write_text("\n".join(lines[:start] + example) + "\n", encoding="utf-8")
    plan = load_workplan(path)
    call = from_plan(plan.milestones[-1], plan.zone)
    assert call.recurrence is not None and call.targets == ("slack:C0123456789",)
    bad = tmp_path / "bad.yaml"
    bad.write_text(path.read_text(encoding="utf-8").replace("every Tuesday", "every Blursday"),
                   encoding="utf-8")
    with pytest.raises(ConfigError, match=r"milestones\[2\]"):
        load_workplan(bad)
