"""`milestones` lists what is coming with a countdown; staff `milestone add|edit|remove`."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.commands import Args
from bot.dates import format_span
from bot.errors import NotFound, UsageError
from bot.i18n import Translator
from bot.messages import IncomingMessage
from bot.reminder_values import MilestoneDraft, Schedule, StoredMilestone, Title
from bot.reminders.commands import MilestoneWords, parse_milestone_words
from bot.reminders.render import (
    countdown,
    describe_recurrence,
    details_link,
    title_text,
    when_text,
)
from bot.reminders.schedule import all_schedules, from_database, next_occurrence
from bot.services import Services
from bot.target_settings import zone_for
from bot.targets import target_of
from bot.text import bold


def _asker_view(msg: IncomingMessage, svc: Services) -> tuple[ZoneInfo, Translator]:
    """The asker's channel's own timezone, and the asker's language: the router already
    chose it (theirs, else their channel's), so it is not worked out again here."""
    return zone_for(svc.settings, target_of(msg.where), svc.zone), svc.tr


async def list_upcoming(msg: IncomingMessage, args: Args, svc: Services) -> str:
    zone, tr = _asker_view(msg, svc)
    now = svc.clock.now()
    schedules = all_schedules(svc.plan, await svc.storage.reminders.active_milestones())
    upcoming = sorted(((at, s) for s in schedules
                       if (at := next_occurrence(s, now)) is not None),
                      key=lambda pair: pair[0])
    if not upcoming:
        return tr("milestones.none")
    lines = [bold(tr("milestones.title"))]
    for at, schedule in upcoming:
        line = f"- {bold(title_text(schedule, tr))} — "
        if schedule.recurrence is not None:
            line += (describe_recurrence(schedule.recurrence, schedule.zone, tr) + "; "
                     + tr("reminders.list.next", when=when_text(schedule, at, zone, tr)))
        else:
            line += when_text(schedule, at, zone, tr)
        line += f" ({countdown(at, now, schedule.zone, tr)})"
        if (details := details_link(schedule, tr)) is not None:
            line += " · " + details
        if schedule.key.startswith("db:"):
            line += " · " + tr("reminders.list.id", id=schedule.label)
        lines.append(line)
    return "\n".join(lines)


async def manage_milestone(msg: IncomingMessage, args: Args, svc: Services) -> str:
    """Staff only (the route says so): add, edit or remove a milestone kept in the database."""
    action = args.words[0].lower() if args.words else ""
    if action == "add":
        return await _add(msg, args.words[1:], svc)
    if action in ("edit", "remove") and len(args.words) >= 2:
        stored = await _find(args.words[1], svc)
        if action == "remove":
            return await _remove(stored, svc)
        return await _edit(msg, stored, args.words[2:], svc)
    raise UsageError(svc.tr("milestone.what"))


async def _add(msg: IncomingMessage, words: tuple[str, ...], svc: Services) -> str:
    given = parse_milestone_words(words, msg.where, svc.zone, svc.plan, svc.tr)
    if given.when is None:
        raise UsageError(svc.tr("milestone.need_when"))
    if given.title is None:
        raise UsageError(svc.tr("milestone.need_title"))
    draft = _apply(MilestoneDraft(Title(given.title, given.title), given.when.timezone), given)
    _check_future(draft, svc)
    now = svc.clock.now()
    milestone_id = await svc.storage.reminders.add_milestone(draft, msg.sender_id, now)
    stored = StoredMilestone(milestone_id, draft, 1, msg.sender_id, now)
    return _confirm("milestone.added", stored, svc)


async def _edit(msg: IncomingMessage, stored: StoredMilestone, words: tuple[str, ...],
                svc: Services) -> str:
    given = parse_milestone_words(words, msg.where, ZoneInfo(stored.draft.timezone), svc.plan,
                                  svc.tr)
    draft = _apply(stored.draft, given)
    _check_future(draft, svc)
    now = svc.clock.now()
    if not await svc.storage.reminders.revise_milestone(stored.id, draft, stored.revision, now):
        raise UsageError(svc.tr("milestone.conflict", id=stored.id,
                                p=svc.settings.command_prefix))
    revised = StoredMilestone(stored.id, draft, stored.revision + 1, stored.created_by, now)
    return _confirm("milestone.edited", revised, svc)


async def _remove(stored: StoredMilestone, svc: Services) -> str:
    if not await svc.storage.reminders.cancel_milestone(stored.id, svc.clock.now()):
        raise NotFound(svc.tr("milestone.unknown", id=stored.id, p=svc.settings.command_prefix))
    return svc.tr("milestone.removed", id=stored.id,
                  title=title_text(from_database(stored), svc.tr))


async def _find(word: str, svc: Services) -> StoredMilestone:
    key = word.lstrip("#")
    # isdecimal, not isdigit ("²" is a digit int() refuses); ids fit in a 64-bit key
    is_id = key.isdecimal() and len(key) <= 18
    stored = await svc.storage.reminders.milestone(int(key)) if is_id else None
    if stored is not None:
        return stored
    if any(m.key == key for m in svc.plan.milestones):
        raise UsageError(svc.tr("milestone.from_plan", id=key))
    raise NotFound(svc.tr("milestone.unknown", id=word, p=svc.settings.command_prefix))


def _apply(draft: MilestoneDraft, given: MilestoneWords) -> MilestoneDraft:
    changes: dict[str, object] = {}
    if given.when is not None:
        changes.update(timezone=given.when.timezone, starts_at=given.when.starts_at,
                       whole_day=given.when.whole_day, recurrence=given.when.recurrence)
        if given.when.recurrence is None:
            changes["until"] = None
    if given.title is not None or given.title_fr is not None:
        en = given.title if given.title is not None else draft.title.en
        changes["title"] = Title(en, given.title_fr or (en if given.title else draft.title.fr))
    for name in ("leads", "targets", "until", "link", "issues"):
        value = getattr(given, name)
        if value is not None:
            changes[name] = value
    return dataclasses.replace(draft, **changes)  # type: ignore[arg-type]


def _check_future(draft: MilestoneDraft, svc: Services) -> None:
    now = svc.clock.now()
    if draft.recurrence is not None and draft.until is not None and next_occurrence(
            from_database(StoredMilestone(0, draft, 1, "", now)), now) is None:
        # Accepted, it would be listed nowhere and never remind anyone.
        raise UsageError(svc.tr("milestone.until_past", until=draft.until.isoformat()))
    if draft.starts_at is not None:
        end = draft.starts_at + (timedelta(days=1) if draft.whole_day else timedelta(0))
        if end < now:
            schedule = from_database(StoredMilestone(0, draft, 1, "", now))
            raise UsageError(svc.tr("milestone.past", when=when_text(
                schedule, draft.starts_at, svc.zone, svc.tr)))


def _confirm(key: str, stored: StoredMilestone, svc: Services) -> str:
    schedule = from_database(stored)
    tr, now = svc.tr, svc.clock.now()
    at = next_occurrence(schedule, now) or schedule.starts_at or now
    when = (describe_recurrence(schedule.recurrence, schedule.zone, tr)
            if schedule.recurrence is not None else when_text(schedule, at, svc.zone, tr))
    return tr(key, id=stored.id, title=bold(title_text(schedule, tr)), when=when,
              countdown=countdown(at, now, schedule.zone, tr), leads=_leads_text(schedule, tr),
              targets=", ".join(f"`{t}`" for t in schedule.targets)
              or tr("milestone.default_targets"))


def _leads_text(schedule: Schedule, tr: Translator) -> str:
    parts = [tr("reminders.lead_zero") if not lead
             else tr("reminders.lead", span=format_span(lead, tr.locale))
             for lead in sorted(schedule.leads, reverse=True)]
    return ", ".join(parts) or tr("milestone.lead_none")

