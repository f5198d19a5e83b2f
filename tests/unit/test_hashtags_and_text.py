"""Pure pieces: finding and folding hashtags, neutral text, dates, translations."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dates import format_instant, format_span, parse_day
from bot.hashtags import find_hashtags, fold
from bot.i18n import Translator
from bot.tags import read_hashtags
from bot.text import Span, parse_line, plain, to_plain
from bot.workplan import load_workplan
from tests.conftest import SHIPPED_PLAN


@pytest.mark.parametrize(("text", "tags"), [
    ("#wp1 and #Solution", ["wp1", "solution"]),
    ("#Ressources #RESSOURCES #ressources", ["ressources"]),
    ("#priorités / #PRIORITÉS", ["priorites"]),
    ("#ＷＰ３ full width", ["wp3"]),
    ("(#wp4), «#wp5»", ["wp4", "wp5"]),
    ("C# and foo#bar and https://x.example/#frag", []),
    ("#low-hanging- fruit", ["low-hanging"]),
    ("Нужно больше #Ресурсы, и #консенсус.", ["ресурсы", "консенсус"]),
    ("我们需要#资源 和＃共识", ["资源", "共识"]),  # no space before, a full-width ＃
    ("نحتاج #مَوارد و#مـوارد و#موارد، و؟#تعاون", ["موارد", "تعاون"]),  # harakat, tatweel
    ("#recursos y #Solución", ["recursos", "solucion"]),
    ("x#资源 and C#资源", []),  # inside a Latin word stays a word
    ("", []),
])
def test_find_hashtags(text: str, tags: list[str]) -> None:
    assert find_hashtags(text) == tags


def test_fold_is_case_accent_and_width_insensitive() -> None:
    assert fold("Complexité") == fold("COMPLEXITE") == fold("ｃｏｍｐｌｅｘｉｔｅ") == "complexite"


def test_plain_makes_user_text_inert() -> None:
    hostile = "**bold** [x](http://evil) `c` \\ *"
    assert parse_line(plain(hostile)) == [Span("text", hostile)]


def test_parse_line_reads_the_core_markup() -> None:
    assert parse_line("a **b** `c` [d](http://e) f") == [
        Span("text", "a "), Span("bold", "b"), Span("text", " "), Span("code", "c"),
        Span("text", " "), Span("link", "d", "http://e"), Span("text", " f")]
    assert to_plain("see [site](http://x)") == "see site <http://x>"


def test_dates_are_read_as_iso_days_or_relative_spans() -> None:
    now = datetime(2019, 10, 10, 12, tzinfo=UTC)
    zone = ZoneInfo("America/Toronto")
    assert parse_day("2019-10-01", now, zone) == datetime(2019, 10, 1, 4, tzinfo=UTC)
    assert parse_day("7d", now, zone) == now - timedelta(days=7)
    assert parse_day("2w", now, zone) == now - timedelta(weeks=2)
    assert parse_day("yesterday", now, zone) is None
    assert parse_day("2019-13-01", now, zone) is None


def test_instants_render_in_the_zone_and_language() -> None:
    instant = datetime(2019, 11, 7, 15, 30, tzinfo=UTC)
    zone = ZoneInfo("America/Toronto")
    assert format_instant(instant, zone, "en") == "Thursday, November 7, 2019, 10:30\u202fAM EST"
    assert format_instant(instant, zone, "fr") == "jeudi 7 novembre 2019, 10:30 EST"
    assert format_span(timedelta(days=3, hours=2, minutes=5), "en") == "3 days and 2 hours"
    assert format_span(timedelta(minutes=61), "fr") == "1\xa0heure et 1 minute"


@pytest.mark.parametrize(("locale", "instant", "span"), [
    ("es", "jueves, 7 de noviembre de 2019, 10:30 EST", "13 días y 2 horas"),
    ("ru", "четверг, 7 ноября 2019\u202fг., 10:30 EST", "13 дней и 2 часа"),
    ("ar", "الخميس، 7 نوفمبر 2019، 10:30 ص EST", "13 يومًا وساعتان"),
    ("zh_Hans", "2019年11月7日星期四 10:30 EST", "13天和2小时"),
])
def test_dates_and_spans_follow_each_un_language(locale: str, instant: str, span: str) -> None:
    """Babel's CLDR forms, not ours: weekday and month words, order, glue, plural units."""
    at = datetime(2019, 11, 7, 15, 30, tzinfo=UTC)
    assert format_instant(at, ZoneInfo("America/Toronto"), locale) == instant
    assert format_span(timedelta(days=13, hours=2), locale) == span


def test_plural_forms() -> None:
    assert Translator("en")("workplan.inputs", count=1) == "1 input"
    assert Translator("en")("workplan.inputs", count=0) == "0 inputs"
    assert Translator("fr")("workplan.inputs", count=0) == "0 contribution"
    assert re.match(r"^2 contributions$", Translator("fr")("workplan.inputs", count=2))


@pytest.mark.parametrize(("locale", "inputs", "issues", "expected"), [
    ("en", 1, 1, "1 tagged input, all time."),
    ("en", 2, 1, "2 tagged inputs on 1 issue, all time."),
    ("en", 5, 3, "5 tagged inputs on 3 issues, all time."),
    ("fr", 2, 1, "2 contributions étiquetées sur 1 question, all time."),
    ("fr", 4, 2, "4 contributions étiquetées sur 2 questions, all time."),
])
def test_a_second_number_in_a_sentence_takes_its_own_plural(locale: str, inputs: int,
                                                              issues: int, expected: str) -> None:
    assert Translator(locale)("digest.overview", count=inputs, issues=issues,
                              period="all time") == expected


@pytest.mark.parametrize(("text", "issues", "kinds"), [
    ("我们需要#资源共享和＃速效方案", (3,), ("quickwin",)),  # Chinese runs on: longest prefix
    ("#文化建设很重要", (6,), ()),
    ("نحتاج #مَوارد #حل", (3,), ("solution",)),
    ("Нужны #ресурсы и #решение", (3,), ("solution",)),
    ("#recursos #solución", (3,), ("solution",)),
    ("#资料 is no issue", (), ()),
])
def test_the_plan_s_hashtags_in_the_six_languages(text: str, issues: tuple[int, ...],
                                                   kinds: tuple[str, ...]) -> None:
    found = read_hashtags(text, load_workplan(SHIPPED_PLAN))
    assert (found.issues, found.kinds) == (issues, kinds)
