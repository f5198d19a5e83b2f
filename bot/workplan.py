"""The consultation's work plan: issues, kinds of input and milestones, loaded from YAML."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import NewType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError
from bot.hashtags import fold
from bot.i18n import is_language, locales
from bot.recurrence import parse_recurrence
from bot.targets import parse_target
from bot.yaml_file import read_yaml

IssueKey = NewType("IssueKey", str)
Locale = str

# ICANN's stakeholder groups (its supporting organisations, advisory committees, Board and
# staff), and the six UN languages ICANN works in: the plan may name others.
DEFAULT_GROUPS = ("ALAC", "ASO", "ccNSO", "GAC", "GNSO", "RSSAC", "SSAC", "Board", "ICANN org",
                  "other")
DEFAULT_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")

_LEAD = re.compile(r"^(?:0|(\d+)\s*(w|d|h|m))$")


def parse_lead(text: str) -> timedelta:
    """`7d`, `1h`, `30m`, `2w` or `0` as a duration before a milestone."""
    match = _LEAD.match(text.strip())
    if match is None:
        raise ValueError(f"lead time {text!r} is not like 7d, 1h, 30m or 0")
    if match.group(1) is None:
        return timedelta(0)
    amount, unit = int(match.group(1)), match.group(2)
    try:
        return {"w": timedelta(weeks=amount), "d": timedelta(days=amount),
                "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[unit]
    except OverflowError:
        raise ValueError(f"lead time {text!r} is too long") from None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Localized(BaseModel):
    """A text in English and in any of plenary's other languages: `{en: …, fr: …, ar: …}`.
    A language without its own text reads the English."""

    model_config = ConfigDict(frozen=True, extra="allow")
    en: str

    @model_validator(mode="after")
    def _known_languages(self) -> Localized:
        for locale, text in self.translations.items():
            if not is_language(locale):
                raise ValueError(f"{locale!r} is not a language code (write one such as "
                                 f"{', '.join(locales())})")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"the {locale} text is empty")
        return self

    @property
    def translations(self) -> dict[str, str]:
        return dict(self.model_extra or {})

    def get(self, locale: Locale) -> str:
        return self.translations.get(locale) or self.en


class Kind(_Frozen):
    key: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: Localized
    hashtags: tuple[str, ...] = ()


class Issue(_Frozen):
    number: int = Field(ge=1, le=99)
    title: Localized
    hashtags: tuple[str, ...]
    emoji: str
    slack_reaction: str
    responsible: str = ""
    resources: str = ""
    timeline: str = ""

    def label(self, locale: Locale) -> str:
        return f"{self.number}. {self.title.get(locale)}"


class Links(_Frozen):
    information: str = ""
    mailing_list: str = ""


class Milestone(_Frozen):
    """A dated step of the consultation: at a local time, on a whole day, or a whole week."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: Localized
    at: datetime | None = None
    on: date | None = None
    week_of: date | None = None
    timezone: str | None = None
    description: Localized | None = None
    link: str = ""
    issues: tuple[int, ...] = ()
    targets: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    recurrence: str | None = None  # `every Tuesday 14:00 UTC` or a crontab, instead of a date
    until: date | None = None  # the last day a recurrence happens

    @field_validator("lead", mode="before")
    @classmethod
    def _lead_as_text(cls, value: object) -> object:
        # YAML reads a bare `0` as a number; a lead time is always written as text here.
        if isinstance(value, list | tuple):
            return tuple(str(item) for item in value)
        return value

    @model_validator(mode="after")
    def _one_date(self) -> Milestone:
        given = [name for name in ("at", "on", "week_of", "recurrence")
                 if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of at, on, week_of or recurrence")
        if self.until is not None and self.recurrence is None:
            raise ValueError("`until` ends a recurrence: give `recurrence` too")
        for target in self.targets:
            parse_target(target)
        if self.recurrence is not None:
            _, zone = parse_recurrence(self.recurrence)
            if zone is not None and self.timezone and zone.key != self.timezone:
                raise ValueError(f"recurrence says {zone.key} but timezone is {self.timezone}")
        if self.at is not None and self.at.tzinfo is not None:
            raise ValueError("write `at` as local time (2019-11-07T10:30) and set `timezone`")
        for lead in self.lead:
            parse_lead(lead)
        return self

    def zone(self, plan_zone: ZoneInfo) -> ZoneInfo:
        return ZoneInfo(self.timezone) if self.timezone else plan_zone

    def starts_at(self, plan_zone: ZoneInfo) -> datetime:
        """The aware instant the milestone begins (midnight for a day or a week); a recurring
        one has no single start (see `bot.reminders.schedule`)."""
        if self.recurrence is not None:
            raise ValueError(f"milestone {self.key} recurs: it has no single start")
        zone = self.zone(plan_zone)
        if self.at is not None:
            return self.at.replace(tzinfo=zone)
        day = self.on if self.on is not None else self.week_of
        assert day is not None
        return datetime.combine(day, time(0, 0), tzinfo=zone)

    def leads(self) -> tuple[timedelta, ...]:
        return tuple(parse_lead(lead) for lead in self.lead)


class WorkPlan(_Frozen):
    title: Localized
    timezone: str
    links: Links = Links()
    kinds: tuple[Kind, ...]
    issues: tuple[Issue, ...]
    milestones: tuple[Milestone, ...] = ()
    groups: tuple[str, ...] = DEFAULT_GROUPS  # the consultation's stakeholder groups
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # ISO 639-1: where the lens looks for input

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            if not re.fullmatch(r"[a-z]{2,3}", code):
                raise ValueError(f"{code!r} is not an ISO 639-1 language code (ar, zh, es…)")
        return codes

    @field_validator("timezone")
    @classmethod
    def _real_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {name!r} (use an IANA name such as "
                             "America/Toronto)") from None
        return name

    @model_validator(mode="after")
    def _consistent(self) -> WorkPlan:
        _unique("issue number", [(f"issues[{i}].number", str(issue.number))
                                 for i, issue in enumerate(self.issues)])
        _unique("kind", [(f"kinds[{i}].key", kind.key) for i, kind in enumerate(self.kinds)])
        _unique("milestone", [(f"milestones[{i}].key", m.key)
                              for i, m in enumerate(self.milestones)])
        tags = [(f"issues[{i}].hashtags[{j}]", fold(tag)) for i, issue in enumerate(self.issues)
                for j, tag in enumerate(issue.hashtags)]
        tags += [(f"kinds[{i}].hashtags[{j}]", fold(tag)) for i, kind in enumerate(self.kinds)
                 for j, tag in enumerate(kind.hashtags)]
        _unique("hashtag", tags)
        _unique("group", [(f"groups[{i}]", _group_word(group))
                          for i, group in enumerate(self.groups)])
        _unique("language", [(f"languages[{i}]", code) for i, code in enumerate(self.languages)])
        _unique("emoji", [(f"issues[{i}].emoji", issue.emoji)
                          for i, issue in enumerate(self.issues)])
        _unique("slack reaction", [(f"issues[{i}].slack_reaction", issue.slack_reaction)
                                   for i, issue in enumerate(self.issues)])
        numbers = {issue.number for issue in self.issues}
        for i, milestone in enumerate(self.milestones):
            for j, number in enumerate(milestone.issues):
                if number not in numbers:
                    raise ValueError(f"milestones[{i}].issues[{j}]: no issue {number}")
            if milestone.timezone:
                self._real_zone(milestone.timezone)
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def issue_numbers(self) -> tuple[int, ...]:
        return tuple(issue.number for issue in self.issues)

    def issue_by_number(self, number: int) -> Issue | None:
        return next((issue for issue in self.issues if issue.number == number), None)

    def find_issue(self, key: str) -> Issue | None:
        """An issue by `3`, `#3`, `wp3`, `#wp3` or any of its hashtags (folded)."""
        word = fold(key.strip().lstrip("#＃"))
        if word.isdigit():
            return self.issue_by_number(int(word))
        return self.issue_by_hashtag.get(word)

    def find_kind(self, key: str) -> Kind | None:
        word = fold(key.strip().lstrip("#＃"))
        return self.kind_by_hashtag.get(word)

    def find_group(self, word: str) -> str | None:
        """A stakeholder group as the plan writes it, from `gnso`, `ICANN org`, `icann-org`."""
        wanted = _group_word(word)
        return next((group for group in self.groups if _group_word(group) == wanted), None)

    def issue_for_reaction(self, reaction: str) -> Issue | None:
        """The issue a reaction stands for: an emoji (keycap, with or without VS16) or a name."""
        name = reaction.strip(":").replace("\ufe0f", "")
        for issue in self.issues:
            if name in (issue.emoji.replace("\ufe0f", ""), issue.slack_reaction):
                return issue
        return None

    def issue_keys(self) -> list[str]:
        """Everything a person may type to name an issue, for suggestions."""
        keys = [str(number) for number in self.issue_numbers()]
        return keys + list(self.issue_by_hashtag)

    def kind_keys(self) -> list[str]:
        return list(self.kind_by_hashtag)

    # Look-up tables built once, on first use: tagging reads them for every message.
    @cached_property
    def issue_by_hashtag(self) -> dict[str, Issue]:
        """Folded hashtag → issue."""
        return {fold(tag): issue for issue in self.issues for tag in issue.hashtags}

    @cached_property
    def kind_by_hashtag(self) -> dict[str, Kind]:
        """Folded kind key or hashtag → kind."""
        table = {fold(kind.key): kind for kind in self.kinds}
        table.update({fold(tag): kind for kind in self.kinds for tag in kind.hashtags})
        return table


def _group_word(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum())


def _unique(what: str, located: list[tuple[str, str]]) -> None:
    first_seen: dict[str, str] = {}
    for where, value in located:
        if value in first_seen:
            raise ValueError(f"{where}: duplicate {what} {value!r} (already at "
                             f"{first_seen[value]})")
        first_seen[value] = where


def load_workplan(path: Path) -> WorkPlan:
    """Read and validate the plan; every problem becomes one `ConfigError` line."""
    raw = read_yaml(path, "the work plan")
    try:
        return WorkPlan.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _yaml_path(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{path}: {where + ': ' if where else ''}{message}") from None


def _yaml_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.startswith(("function-", "tagged-union")):
            text += f".{part}" if text else part
    return text
