"""The opt-in nudge (`PLENARY_NUDGE_CRON`): each period, every conversation where an issue has
had no input for `PLENARY_LENS_SILENT_DAYS` is told so once, in its own language. Each post's
key (conversation, period) is taken in the database first, so that restarts, doubled ticks
and replicas post it once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.i18n import Translator
from bot.recurrence import scheduled_setting
from bot.services import Services
from bot.target_settings import default_targets, locale_for
from bot.targets import parse_target
from bot.text import bold, plain
from bot.workplan import Issue

log = logging.getLogger(__name__)


def nudge_text(silent: list[Issue], tr: Translator, days: int) -> str:
    issues = ", ".join(bold(plain(issue.label(tr.locale))) for issue in silent)
    hashtag = "#" + (silent[0].hashtags[0] if silent[0].hashtags else str(silent[0].number))
    return tr("nudge.text", count=days, issues=issues, hashtag=hashtag)


def silent_issues(newest: dict[int, datetime], issues: tuple[Issue, ...], now: datetime,
                  days: int) -> list[Issue]:
    """The issues with no input here in the last `days` days (or ever)."""
    quiet_since = now - timedelta(days=days)
    return [issue for issue in issues
            if (last := newest.get(issue.number)) is None or last <= quiet_since]


async def post_nudges(svc: Services) -> None:
    """Idempotent: the newest due period of `PLENARY_NUDGE_CRON`, nudged once per conversation."""
    settings = svc.settings
    if not settings.nudge_cron:
        return
    recurrence, zone = scheduled_setting("PLENARY_NUDGE_CRON", settings.nudge_cron, svc.zone)
    now = svc.clock.now()
    due = recurrence.last_at_or_before(now, zone)
    if due is None:
        return
    period = due.astimezone(zone).strftime("%Y%m%dT%H%M")
    days = settings.lens_silent_days
    newest = await svc.storage.inclusion.newest_by_channel(svc.plan.issue_numbers())
    for target in default_targets(settings):
        where = parse_target(target)
        silent = silent_issues(newest.get((where.platform, where.id), {}), svc.plan.issues,
                               now, days)
        if not silent:
            continue
        inclusion = svc.storage.inclusion
        if not await inclusion.claim_nudge(where.platform, where.id, period, now):
            continue  # posted by an earlier run or another replica
        tr = Translator(locale_for(settings, target))
        try:
            await svc.chat.send(where, nudge_text(silent, tr, days),
                                idempotency_key=f"plenary-nudge-{period}")
        except Exception:
            await inclusion.release_nudge(where.platform, where.id, period)
            log.exception("nudge for %s failed; the next tick tries again", target)
