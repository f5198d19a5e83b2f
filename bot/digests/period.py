"""Which period a digest covers: since the reader's previous digest, unless dates or `all`
say otherwise; and whether the digest moves the reader's cursor."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dates import format_short
from bot.digest_values import DigestFilters
from bot.digests.build import DigestScope
from bot.digests.filters import DigestRequest
from bot.i18n import Translator
from bot.storage import Storage


def describe_dates(filters: DigestFilters, tr: Translator, zone: ZoneInfo) -> str:
    if filters.since and filters.until:
        return tr("digest.period_between", since=format_short(filters.since, zone),
                  until=format_short(filters.until, zone))
    if filters.since:
        return tr("digest.period_since", since=format_short(filters.since, zone))
    if filters.until:
        return tr("digest.period_until", until=format_short(filters.until, zone))
    return tr("digest.period_all")


def tagged_between(since: datetime, until: datetime, filters: DigestFilters, tr: Translator,
                   zone: ZoneInfo) -> DigestScope:
    """A fixed window of tagging time, e.g. the scheduled weekly digest."""
    period = tr("digest.period_tagged", since=format_short(since, zone),
                until=format_short(until, zone))
    return DigestScope(replace(filters, tagged_since=since, tagged_until=until), period, since)


async def scope_for_reader(storage: Storage, request: DigestRequest, platform: str,
                           staff_id: str, now: datetime, tr: Translator, zone: ZoneInfo
                           ) -> tuple[DigestScope, bool]:
    """The scope of a staff member's digest, and whether it should move their cursor.

    Plain `digest` covers what was tagged since their previous digest, like a mailing-list
    digest that never repeats itself; `all` or explicit dates override. Only a digest of
    every issue up to now moves the cursor: `digest #3` or `digest since 7d` do not."""
    cursor = await storage.digests.cursor(platform, staff_id)
    filters = request.filters
    if filters.since is not None or filters.until is not None:
        return DigestScope(filters, describe_dates(filters, tr, zone), cursor), False
    if request.everything:
        return DigestScope(filters, tr("digest.period_all"), cursor), not filters.narrowed
    window = replace(filters, tagged_since=cursor, tagged_until=now)
    if cursor is None:
        period = tr("digest.period_first", until=format_short(now, zone))
    else:
        period = tr("digest.period_since_last", since=format_short(cursor, zone),
                    until=format_short(now, zone))
    return DigestScope(window, period, cursor), not filters.narrowed
