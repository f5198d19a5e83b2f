"""Reading digest filters from words: `#3 wp5 since 2019-10-01 until 7d channel general ...`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dates import parse_day
from bot.digest_values import DigestFilters
from bot.errors import UsageError
from bot.i18n import Translator
from bot.lookup import resolve_issue, resolve_kind
from bot.workplan import WorkPlan

FORMATS = ("md", "csv", "json", "html")
_KEYWORDS = {"since": "since", "from": "since", "until": "until", "to": "until",
             "channel": "channel", "in": "channel", "kind": "kind", "author": "author",
             "by": "author", "as": "format", "format": "format"}


@dataclass(frozen=True, slots=True)
class DigestRequest:
    filters: DigestFilters
    format: str | None = None  # None: the readable chat digest
    everything: bool = False  # `all`: no "since last digest" default


def parse_moment(word: str, now: datetime, zone: ZoneInfo, tr: Translator) -> datetime:
    moment = parse_day(word, now, zone)
    if moment is None:
        raise UsageError(tr("digest.bad_date", word=word))
    return moment


def parse_request(words: tuple[str, ...], plan: WorkPlan, tr: Translator, now: datetime,
                  zone: ZoneInfo) -> DigestRequest:
    request = DigestRequest(DigestFilters())
    position = 0
    while position < len(words):
        word = words[position]
        key, value = _split_keyword(word)
        if key is None and word.lower() in _KEYWORDS:
            key = _KEYWORDS[word.lower()]
            position += 1
            if position >= len(words):
                raise UsageError(tr("digest.missing_value", word=word))
            value = words[position]
        position += 1
        if key is None:
            request = _add_subject(request, word, plan, tr)
        else:
            assert value is not None
            request = _add_option(request, key, value, plan, tr, now, zone)
    filters = request.filters
    if filters.since and filters.until and filters.since >= filters.until:
        raise UsageError(tr("digest.empty_period"))
    return request


def _split_keyword(word: str) -> tuple[str | None, str | None]:
    for separator in ("=", ":"):
        name, found, value = word.partition(separator)
        if found and name.lower() in _KEYWORDS and value:
            return _KEYWORDS[name.lower()], value
    return None, None


def _add_subject(request: DigestRequest, word: str, plan: WorkPlan, tr: Translator
                 ) -> DigestRequest:
    filters = request.filters
    if word.lower() == "all":
        return replace(request, everything=True)
    if plan.find_issue(word) is None and plan.find_kind(word) is not None:
        kind = resolve_kind(plan, tr, word)
        return replace(request, filters=replace(filters, kinds=(*filters.kinds, kind)))
    number = resolve_issue(plan, tr, word).number
    if number in filters.issues:
        return request
    return replace(request, filters=replace(filters, issues=(*filters.issues, number)))


def _add_option(request: DigestRequest, key: str, value: str, plan: WorkPlan, tr: Translator,
                now: datetime, zone: ZoneInfo) -> DigestRequest:
    filters = request.filters
    if key == "since":
        return replace(request, filters=replace(filters, since=parse_moment(value, now, zone, tr)))
    if key == "until":
        return replace(request, filters=replace(filters, until=parse_moment(value, now, zone, tr)))
    if key == "channel":
        return replace(request, filters=replace(filters, channel=value))
    if key == "author":
        return replace(request, filters=replace(filters, author=value))
    if key == "kind":
        kind = resolve_kind(plan, tr, value)
        return replace(request, filters=replace(filters, kinds=(*filters.kinds, kind)))
    fmt = value.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(tr("digest.bad_format", word=value, formats=", ".join(FORMATS)))
    return replace(request, format=fmt)
