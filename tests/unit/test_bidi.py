"""Right to left in chat: Matrix answers carry their direction (a `dir="rtl"` wrapper and a
leading mark for Element, which drops `dir`), each echoed quote is its own isolate; Slack gets
no marks beyond the isolates in plain runs, so mrkdwn and links still parse."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.matrix.render import RLM, direction, notice_content, to_html
from bot.adapters.slack.render import render, to_mrkdwn
from bot.digest_values import DigestEntry
from bot.digests.chat_text import render_entry
from bot.i18n import Translator
from bot.messages import MessageRef
from bot.text import FSI, PDI, bold, isolated, link, plain
from tests.fakes import Harness

ARABIC_QUOTE = "نُرِيدُ مَشُورَةً أَوْسَعَ"
MARKS = ("\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e")


def entry(text: str) -> DigestEntry:
    return DigestEntry(5, MessageRef("test", "room-1", "m-1"), "general", "amal", "Amal", text,
                       ("solution",), datetime(2019, 10, 1, 12, tzinfo=UTC),
                       "https://chat.example/m-1")


def test_an_entry_isolates_its_quote_author_and_channel() -> None:
    line = render_entry(entry("Shared rooms"), Translator("ar"), ZoneInfo("UTC"))
    assert f"“{FSI}Shared rooms{PDI}”" in line
    assert f"{FSI}Amal{PDI}" in line and f"{FSI}general{PDI}" in line
    assert render_entry(entry("Shared rooms"), Translator("en"), ZoneInfo("UTC"),
                        isolate=False).count(FSI) == 0  # files mark direction themselves


def test_an_isolate_always_balances_whatever_the_user_typed() -> None:
    assert isolated(f"a{PDI}b\u2067c") == f"{FSI}abc{PDI}"


@pytest.mark.parametrize(("neutral", "expected"), [
    ("تم: وسمتُها بـ **3. الموارد**", "rtl"),
    ("`!lang` — اللغة التي أجيبك بها", "rtl"),  # a command first says nothing
    (f"Tagged: “{isolated(ARABIC_QUOTE)}”", "ltr"),  # a quote says nothing either
    (f"{isolated('Amal')} كتبت: “{isolated('Shared rooms')}”", "rtl"),
    ("3 — 5", "ltr"),
])
def test_an_answer_s_direction_is_that_of_its_own_first_words(neutral: str, expected: str
                                                              ) -> None:
    assert direction(neutral) == expected


def test_a_matrix_arabic_answer_is_marked_right_to_left_its_quotes_auto() -> None:
    neutral = f"- {bold('5. التمثيل')}: “{isolated(plain('Shared <b>rooms</b>'))}”"
    content = notice_content(neutral)
    assert content["formatted_body"] == (
        f'{RLM}<div dir="rtl"><ul><li><strong>5. التمثيل</strong>: “<span dir="auto">'
        f'{FSI}Shared &lt;b&gt;rooms&lt;/b&gt;{PDI}</span>”</li></ul></div>')
    assert content["body"] == f"{RLM}- **5. التمثيل**: “{FSI}Shared <b>rooms</b>{PDI}”"


def test_a_matrix_english_answer_gets_no_mark_and_its_arabic_quote_an_isolate() -> None:
    content = notice_content(f"Tagged: “{isolated(ARABIC_QUOTE)}”")
    assert content["formatted_body"] == (
        f'Tagged: “<span dir="auto">{FSI}{ARABIC_QUOTE}{PDI}</span>”')
    assert not content["body"].startswith(RLM)


def test_stray_isolate_marks_in_text_never_unbalance_the_html() -> None:
    assert to_html(f"a {PDI} b {FSI}c") == f'a {PDI} b <span dir="auto">{FSI}c{PDI}</span>'


def test_slack_text_keeps_mrkdwn_and_links_and_gets_no_direction_marks() -> None:
    neutral = (f"{bold('5. التمثيل')}\n- {isolated('Amal')} في {isolated('general')}: "
               f"“{isolated(plain(ARABIC_QUOTE + ' & <!channel>'))}” "
               f"{link('المصدر', 'https://chat.example/m-1')}")
    text = to_mrkdwn(neutral)
    assert text.startswith("*5. التمثيل*\n• ")
    assert f"“{FSI}{ARABIC_QUOTE} &amp; &lt;!channel&gt;{PDI}”" in text
    assert text.endswith(" <https://chat.example/m-1|المصدر>")
    assert not any(mark in text for mark in MARKS)


def test_slack_drops_isolates_inside_bold_code_and_links() -> None:
    neutral = f"**{isolated('x')}** `{isolated('y')}` [{isolated('z')}](https://a.b/{FSI})"
    assert to_mrkdwn(neutral) == "*x* `y` <https://a.b/|z>"
    rendered = render(neutral)
    assert rendered is not None and FSI not in rendered.text


async def test_an_arabic_digest_in_chat_isolates_each_english_entry(harness: Harness) -> None:
    await harness.say("We need shared rooms #wp5 #solution", author="alice")
    await harness.say("!lang ar", author="carol")
    await harness.say("!digest", author="carol")
    text = harness.sent[-1].text
    assert text.startswith("**" + Translator("ar")("digest.title", title="").split("—")[0])
    assert f"“{FSI}We need shared rooms #wp5 #solution{PDI}”" in text
    assert direction(text) == "rtl"
    assert notice_content(text)["formatted_body"].startswith(f'{RLM}<div dir="rtl">')
