"""Exports parsed back: CSV with the csv module, JSON against its documented shape, HTML with
html.parser (table, chart, escaped text); Markdown by issue and kind."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from typing import Any

import pytest

from bot.digests.escaping import csv_cell
from tests.fakes import Harness

NASTY = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script> #wp6'


async def _inputs(harness: Harness) -> None:
    await harness.say("Pool the travel budget #wp3 #solution", author="alice")
    harness.clock.advance(days=8)
    await harness.say("Share interpreters #wp3 #quickwin", author="bob")
    harness.clock.advance(minutes=3)
    await harness.say(NASTY, author="eve")
    await harness.say("+1 to that, @channel #wp6", author="@mallory")
    harness.clock.advance(minutes=3)


async def _export(harness: Harness, fmt: str, *words: str) -> str:
    await harness.say(" ".join(["!digest", "all", *words, "as", fmt]), author="carol")
    sent = harness.sent[-1]
    assert sent.kind == "file" and sent.attachment is not None, sent.text
    assert sent.attachment.filename.endswith("." + fmt)
    if fmt == "csv":  # with the byte-order mark spreadsheets need to read it as UTF-8
        assert sent.attachment.content.startswith(b"\xef\xbb\xbf")
        return sent.attachment.content.decode("utf-8-sig")
    return sent.attachment.content.decode("utf-8")


async def test_csv_parses_back_one_row_per_input_and_issue(harness: Harness) -> None:
    await _inputs(harness)
    await harness.say("Belongs to two issues #wp1 #wp2", author="alice")
    harness.clock.advance(minutes=1)
    text = await _export(harness, "csv")
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 6
    assert sorted(r["issue"] for r in rows) == ["1", "2", "3", "3", "6", "6"]
    by_text = {r["text"]: r for r in rows}
    assert by_text["Share interpreters #wp3 #quickwin"]["kinds"] == "quickwin"
    assert by_text["Pool the travel budget #wp3 #solution"]["permalink"] \
        == "https://chat.example/m-1"


async def test_csv_makes_formula_looking_cells_inert(harness: Harness) -> None:
    await _inputs(harness)
    rows = list(csv.DictReader(io.StringIO(await _export(harness, "csv"), newline="")))
    texts = {r["text"] for r in rows}
    assert "'" + NASTY in texts
    assert "'+1 to that, @channel #wp6" in texts
    assert "'@mallory" in {r["author_id"] for r in rows}
    for row in rows:
        for value in row.values():
            assert not value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(("cell", "inert"), [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("  =1", "'  =1"), ("＝1", "'＝1"), ("plain", "plain"),
    ("a=b", "a=b"), ("", ""),
])
def test_csv_cell(cell: str, inert: str) -> None:
    assert csv_cell(cell) == inert


async def test_json_has_the_documented_shape(harness: Harness) -> None:
    await _inputs(harness)
    data = json.loads(await _export(harness, "json"))
    assert set(data) == {"generated_at", "period", "filters", "issues"}
    assert set(data["filters"]) == {"issues", "since", "until", "tagged_since", "tagged_until",
                                    "channel", "kinds", "author"}
    assert [issue["number"] for issue in data["issues"]] == list(range(1, 9))
    for issue in data["issues"]:
        assert set(issue) == {"number", "title", "responsible", "resources", "timeline",
                              "count", "contributors", "channels", "new", "lens", "entries"}
        assert issue["count"] == len(issue["entries"])
        for entry in issue["entries"]:
            assert set(entry) == {"platform", "channel", "message_id", "author", "text",
                                  "kinds", "posted_at", "permalink", "language", "group"}
    issue3 = data["issues"][2]
    assert [e["text"] for e in issue3["entries"]] == ["Share interpreters #wp3 #quickwin",
                                                      "Pool the travel budget #wp3 #solution"]
    assert issue3["contributors"] == 2 and issue3["channels"] == 1


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self.cells: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.cells.append([])
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._stack and self._stack[-1] in ("td", "a") and self.cells:
            self.cells[-1].append(data)

    def all(self, tag: str) -> list[dict[str, Any]]:
        return [attrs for name, attrs in self.tags if name == tag]


async def test_html_is_one_page_with_table_chart_and_escaped_entries(harness: Harness) -> None:
    await _inputs(harness)
    await harness.say("!workplan set 3 responsible Jane <b>Doe</b>", author="carol")
    page = _Page()
    html = await _export(harness, "html")
    page.feed(html)
    page.close()
    assert html.startswith("<!DOCTYPE html>")
    assert not page.all("script") and not page.all("link") and not page.all("img")
    assert "<script>alert(1)</script>" in "".join(page.text)
    issue3 = next(row for row in page.cells if row and row[0].startswith("3. "))
    assert issue3[1] == "Jane <b>Doe</b>" and issue3[4] == "2"
    issue1 = next(row for row in page.cells if row and row[0].startswith("1. "))
    assert issue1[4] == "0 — no input"
    assert len(page.all("svg")) == 1
    bars = page.all("rect")
    assert {(b["data-issue"], b["data-week"], b["data-count"]) for b in bars} == {
        ("3", "2019-09-30", "1"), ("3", "2019-10-07", "1"), ("6", "2019-10-07", "2")}
    links = [a["href"] for a in page.all("a") if a["href"].startswith("https://")]
    assert "https://chat.example/m-1" in links
    assert "@media print" in html


async def test_html_chart_is_replaced_by_a_sentence_when_there_is_no_input(harness: Harness
                                                                         ) -> None:
    html = await _export(harness, "html")
    assert "<svg" not in html and "No tagged input in this period." in html


async def test_markdown_groups_by_issue_and_kind_with_the_workplan_table(harness: Harness
                                                                       ) -> None:
    await _inputs(harness)
    text = await _export(harness, "md")
    assert "| Issue | Responsible | Resources | Timeline | Inputs | New |" in text
    issue3 = text.index("## 3. Efficient use of resources")
    solutions = text.index("### Possible solutions", issue3)
    quick = text.index("### Immediate opportunities", issue3)
    assert text.index("Pool the travel budget", solutions) < quick
    assert "## 1. Prioritization of work\n\n⚠ no input in this period" in text
    assert "\\<script>" not in text and "<script>alert(1)</script>" in text


async def test_exports_follow_filters(harness: Harness) -> None:
    await _inputs(harness)
    data = json.loads(await _export(harness, "json", "6", "author", "eve"))
    assert [issue["number"] for issue in data["issues"]] == [6]
    assert [e["author"] for e in data["issues"][0]["entries"]] == ["Eve"]


async def test_an_export_too_big_for_chat_says_how_to_get_it(harness: Harness,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setattr("bot.digests.exports.ATTACHMENT_LIMIT", 3000)
    for n in range(30):
        await harness.say(f"Idea {n} " + "with a long explanation " * 8 + "#wp3")
    await harness.say("!digest all as csv", author="carol")
    sent = harness.sent[-1]
    assert sent.attachment is None
    assert sent.text.startswith("That digest is over 0 MB as csv, too big to send here")
    assert "plenary digest --format csv --output FILE" in sent.text


def test_html_times_are_local_across_daylight_saving_changes() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.digests.html_entries import LocalMinutes

    local = LocalMinutes(ZoneInfo("America/Toronto"))
    cases = {"2019-11-03T05:59:00+00:00": "2019-11-03 01:59",  # EDT
             "2019-11-03T06:00:00+00:00": "2019-11-03 01:00",  # EST, the hour again
             "2019-03-10T06:59:00+00:00": "2019-03-10 01:59",
             "2019-03-10T07:00:00+00:00": "2019-03-10 03:00"}  # the hour skipped
    for instant, shown in cases.items():
        assert local.format(datetime.fromisoformat(instant)) == shown


async def test_an_arabic_export_is_right_to_left_and_each_entry_takes_its_own_direction(
        harness: Harness) -> None:
    await harness.say("نحتاج إلى مشاركة الموارد #موارد #حل", author="amal")
    await harness.say("我们需要#资源共享", author="li")
    await harness.say("!lang ar", author="carol")
    html = await _export(harness, "html")
    page = _Page()
    page.feed(html)
    page.close()
    assert page.all("html") == [{"lang": "ar", "dir": "rtl"}]
    texts = [attrs for attrs in page.all("div") if attrs.get("class") == "text"]
    assert texts and all(attrs.get("dir") == "auto" for attrs in texts)
    shown = "".join(page.text)
    assert "نحتاج إلى مشاركة الموارد #موارد #حل" in shown and "我们需要#资源共享" in shown
    assert "\u200f" not in html and "\u202b" not in html  # no bidi marks: dir does it
    await harness.say("!lang zh", author="carol")
    chinese = await _export(harness, "html")
    assert '<html lang="zh-Hans">' in chinese
    rows = list(csv.DictReader(io.StringIO(await _export(harness, "csv"), newline="")))
    assert {row["text"] for row in rows} == {"نحتاج إلى مشاركة الموارد #موارد #حل",
                                             "我们需要#资源共享"}  # byte for byte
