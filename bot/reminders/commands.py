"""Reading what staff type after `milestone add` / `milestone edit <id>` (pure).

    2019-11-07 10:30 America/Toronto "ICANN66 session" lead 7d,1d,1h in #general
    every Tuesday 14:00 UTC "Working group call" until 2020-06-30 lead 1h
    cron "0 14 * * tue" Europe/Paris "Call" fr "Appel" issues 3,5 link https://…
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.errors import UsageError
from bot.i18n import Translator
from bot.lookup import issue_range
from bot.messages import Conversation
from bot.recurrence import (
    local_instant,
    parse_recurrence,
    parse_time,
    parse_zone,
)
from bot.targets import parse_target, target_of
from bot.workplan import WorkPlan, parse_lead

# `Area/Location` (`America/Argentina/Salta`, `Etc/GMT+5`): what a timezone name looks like.
_ZONE_SHAPED = re.compile(r"[A-Z][A-Za-z_-]*(/[A-Za-z0-9_+-]+)+")
KEYWORDS = ("lead", "leads", "in", "until", "link", "issue", "issues", "title", "fr")


@dataclass(frozen=True, slots=True)
class When:
    timezone: str
    starts_at: datetime | None = None
    whole_day: bool = False
    recurrence: str | None = None


@dataclass(frozen=True, slots=True)
class MilestoneWords:
    """What was given; None means "not mentioned" (an edit keeps the old value)."""

    when: When | None = None
    title: str | None = None
    title_fr: str | None = None
    leads: tuple[str, ...] | None = None
    targets: tuple[str, ...] | None = None
    until: date | None = None
    link: str | None = None
    issues: tuple[int, ...] | None = None


class _Reader:
    def __init__(self, words: tuple[str, ...], tr: Translator) -> None:
        self.words = [w.strip("[]") for w in words if w.strip("[]")]
        self.tr = tr
        self.at = 0

    def peek(self) -> str | None:
        return self.words[self.at] if self.at < len(self.words) else None

    def take(self) -> str:
        word = self.words[self.at]
        self.at += 1
        return word

    def value(self, keyword: str) -> str:
        if self.peek() is None:
            raise UsageError(self.tr("milestone.missing_value", word=keyword))
        return self.take()


def parse_milestone_words(words: tuple[str, ...], where: Conversation, zone: ZoneInfo,
                          plan: WorkPlan, tr: Translator) -> MilestoneWords:
    reader = _Reader(words, tr)
    when = _when(reader, zone, tr)
    fields: dict[str, object] = {"when": when}
    title_words: list[str] = []
    targets: list[str] = []
    while (word := reader.peek()) is not None:
        keyword = word.lower()
        if keyword not in KEYWORDS:
            title_words.append(reader.take())
            continue
        reader.take()
        if keyword in ("lead", "leads"):
            fields["leads"] = _leads(reader, tr)
        elif keyword == "in":
            target = _target(reader.value(word), where, tr)
            if target is not None:
                targets.append(target)
            fields["targets"] = tuple(targets)
        elif keyword == "until":
            fields["until"] = _date(reader.value(word), tr)
        elif keyword == "link":
            fields["link"] = reader.value(word)
        elif keyword in ("issue", "issues"):
            fields["issues"] = _issues(reader.value(word), plan, tr)
        elif keyword == "title":
            title_words.append(reader.value(word))
        else:
            fields["title_fr"] = reader.value(word)
    if title_words:
        fields["title"] = " ".join(title_words)
    return MilestoneWords(**fields)  # type: ignore[arg-type]


def _when(reader: _Reader, zone: ZoneInfo, tr: Translator) -> When | None:
    first = reader.peek()
    if first is None:
        return None
    if first.lower() in ("every", "chaque"):
        phrase = [reader.take()]
        while (word := reader.peek()) is not None and word.lower() not in KEYWORDS:
            phrase.append(reader.take())
            if parse_time(word) is not None:
                break
        return _recurring(reader, " ".join(phrase), zone, tr)
    if first.lower() == "cron":
        reader.take()
        expression = reader.value(first)
        if len(expression.split()) == 1:  # unquoted: the next four words are the rest of it
            expression = " ".join([expression] + [reader.value(first) for _ in range(4)])
        return _recurring(reader, expression, zone, tr)
    if not first[:1].isdigit():
        return None
    day = _date(reader.take(), tr)
    at = None
    if reader.peek() is not None and reader.peek()[:1].isdigit():  # type: ignore[index]
        word = reader.take()
        at = parse_time(word)
        if at is None:
            raise UsageError(tr("milestone.bad_time", word=word))
    local_zone = _zone(reader, tr) or zone
    if at is None:
        return When(local_zone.key, local_instant(day, time(0, 0), local_zone), whole_day=True)
    return When(local_zone.key, local_instant(day, at, local_zone))


def _recurring(reader: _Reader, text: str, zone: ZoneInfo, tr: Translator) -> When:
    named = _zone(reader, tr)
    if named is not None:
        text += " " + named.key
    try:
        recurrence, phrase_zone = parse_recurrence(text)
    except ValueError:
        raise UsageError(tr("milestone.bad_recurrence", text=text)) from None
    return When((phrase_zone or zone).key, recurrence=recurrence.cron)


def _zone(reader: _Reader, tr: Translator) -> ZoneInfo | None:
    """A timezone after the time, taken; None when the next word is not one. A word shaped
    like a zone (`Mars/Olympus`) that is none is refused: it must not become the title."""
    word = reader.peek() or ""
    named = parse_zone(word)
    if named is None and _ZONE_SHAPED.fullmatch(word):
        raise UsageError(tr("milestone.bad_zone", word=word))
    if named is not None:
        reader.take()
    return named


def _date(word: str, tr: Translator) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise UsageError(tr("milestone.bad_date", word=word)) from None


def _leads(reader: _Reader, tr: Translator) -> tuple[str, ...]:
    leads: list[str] = []
    while (word := reader.peek()) is not None and (not leads or word[:1].isdigit()
                                                    or word.startswith(",")):
        reader.take()
        for part in filter(None, (p.strip() for p in word.split(","))):
            try:
                parse_lead(part)
            except ValueError:
                raise UsageError(tr("milestone.bad_lead", word=part)) from None
            leads.append(part.lower())
    if not leads:
        raise UsageError(tr("milestone.missing_value", word="lead"))
    return tuple(dict.fromkeys(leads))


def _target(word: str, where: Conversation, tr: Translator) -> str | None:
    """`here`, `#name` (a channel on the asker's platform), `slack:C1`; None for `default`."""
    lowered = word.lower()
    if lowered == "default":
        return None
    if lowered == "here":
        return target_of(where)
    if word.startswith("#") and len(word) > 1:
        # Slack takes a channel name where it takes an id; on Matrix `#name:server` is an alias.
        name = word if where.platform == "matrix" else word[1:]
        return "console" if where.platform == "console" else f"{where.platform}:{name}"
    try:
        return target_of(parse_target(word))
    except ValueError:
        raise UsageError(tr("milestone.bad_target", word=word)) from None


def _issues(text: str, plan: WorkPlan, tr: Translator) -> tuple[int, ...]:
    numbers: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        issue = plan.find_issue(part)
        if issue is None:
            raise UsageError(tr("milestone.bad_issue", word=part, range=issue_range(plan)))
        numbers.append(issue.number)
    return tuple(dict.fromkeys(numbers))
