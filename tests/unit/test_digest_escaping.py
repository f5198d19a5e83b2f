"""The CSV and HTML exports of adversarial text, byte for byte against independent oracles:
the stdlib's `csv` writer and `html.escape`, a regular expression for invisible characters,
and `datetime.astimezone` for local times. Also kinds changed after saving, hidden inputs."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digest_values import DigestEntry, DigestFilters
from bot.digests.build import DigestScope, kind_order
from bot.digests.escaping import FORMULA_START, INVISIBLE
from bot.digests.exports import Exporter
from bot.digests.html_entries import LocalMinutes
from bot.lookup import kind_title
from bot.messages import Conversation, IncomingMessage, MessageRef
from bot.tags import TagSet, TagSource
from tests.fakes import Harness

TRICKY = [
    '=HYPERLINK("http://evil")', "  +SUM(A1)", "＠fullwidth", "-minus", "@at", "\tTab",
    "\rreturn", "\nnewline first", "＝full", "＋full", "－full", " plain after a space",
    'quotes "inside" and, commas', "line one\nline two\r\nthree", "<script>alert(1)</script>",
    "bidi \u202eevil\u202c and zero\u200bwidth\ufeff, isolates \u2066x\u2069 \u2060",
    "ümlaut & ampersand > greater 'single' \"double\"", "x" * 4100, "",
    "l’équipe “dit” — ✅ & <b>", "emoji 👩🏽‍💻 🇨🇦 and a joiner", "مرحبا بالعالم <ar>",
    "你好，世界 & “引号”", "\u202bالعربية\u202c mixed", "&amp; already escaped",
]
NOW = datetime(2020, 1, 1, tzinfo=UTC)
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def _ref(n: int) -> MessageRef:
    return MessageRef("test", f"room-{n % 2}", f"m-{n}")


async def _seed(harness: Harness) -> None:
    zone_change = [datetime(2019, 11, 3, 5, 59, 59, 999999, tzinfo=UTC),  # EDT, last instant
                   datetime(2019, 11, 3, 6, 0, tzinfo=UTC),  # EST
                   datetime(2019, 3, 10, 7, 30, 15, 250000, tzinfo=UTC)]  # EDT
    for n, text in enumerate(TRICKY):
        posted = zone_change[n] if n < 3 else datetime(2019, 10, 1 + n, 12, n, n, tzinfo=UTC)
        where = Conversation("test", f"room-{n % 2}", name=None if n == 4 else '"quoted" <room>')
        msg = IncomingMessage(where, f"m-{n}", f"=user{n}", text, posted,
                              sender_name=None if n % 3 == 0 else f'Name "{n}" <b> {text[:5]}',
                              permalink=None if n % 4 == 0 else
                              ("javascript:alert(1)" if n == 5 else
                               f"HTTPS://chat/{n}?a=1&b='x'\"" if n == 6 else
                               f"https://chat/{n}?a=1&b='x'"))
        kinds = (("solution", "quickwin", "collab")[: n % 4])
        await harness.storage.save_message(msg, TagSet((1 + n % 3,), kinds), posted)
    await harness.storage.digests.hide(_ref(3), "off-topic", "carol",
                                       datetime(2019, 12, 1, tzinfo=UTC))
    # Kinds changed after saving, in every way storage has, and kinds the plan does not know.
    at = datetime(2019, 12, 2, tzinfo=UTC)
    await harness.storage.add_tags(_ref(1), TagSet((), ("comment",)), TagSource.COMMAND,
                                   "carol", at)
    await harness.storage.remove_tags(_ref(2), TagSet((), ("quickwin",)), None, "carol", at)
    await harness.storage.edit_message(_ref(6), "edited", TagSet((1,), ("collab",)), "=user6",
                                       at, at)
    for n, kind in ((7, "retired"), (10, "<b>odd")):  # kinds the plan does not know
        await harness.storage.add_tags(_ref(n), TagSet((), (kind,)), TagSource.COMMAND, "carol",
                                       at)


async def _export(harness: Harness, fmt: str) -> str:
    chunks: list[str] = []
    exporter = Exporter(harness.storage, harness.plan, harness.svc.tr, harness.svc.zone)
    await exporter.write(fmt, DigestScope(DigestFilters(), "all time"), NOW, _collector(chunks))
    return "".join(chunks)


async def _entries(harness: Harness) -> list[DigestEntry]:
    entries = []
    for issue in harness.plan.issue_numbers():
        async for batch in harness.storage.digests.stream_issue(DigestFilters(), issue):
            entries += batch
    return entries


def _guarded(cell: str) -> str:
    return "'" + cell if cell.lstrip(" ")[:1] in FORMULA_START else cell


async def test_csv_is_what_the_csv_module_writes_of_the_guarded_cells(harness: Harness
                                                                      ) -> None:
    await _seed(harness)
    entries = await _entries(harness)
    assert "m-3" not in {entry.ref.message_id for entry in entries}  # hidden
    titles = {issue.number: issue.title.get(harness.svc.tr.locale)
              for issue in harness.plan.issues}
    expected = io.StringIO(newline="")
    expected.write("\ufeff")  # the byte-order mark spreadsheets need to read UTF-8
    writer = csv.writer(expected, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(("issue", "issue_title", "kinds", "posted_at", "author", "author_id",
                     "platform", "channel", "message_id", "permalink", "text", "language",
                     "group"))
    writer.writerows((str(e.issue), _guarded(titles[e.issue]), " ".join(e.kinds),
                      e.posted_at.isoformat(), _guarded(e.author), _guarded(e.sender_id),
                      e.ref.platform, _guarded(e.channel), _guarded(e.ref.message_id),
                      _guarded(e.permalink or ""), _guarded(e.text), e.language or "",
                      _guarded(e.group or "")) for e in entries)
    text = await _export(harness, "csv")
    assert text == expected.getvalue()
    cells = [cell for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
             for cell in row]
    assert not any(cell.lstrip(" ")[:1] in FORMULA_START for cell in cells if cell.strip())
    assert '"\'=HYPERLINK(""http://evil"")"' in text and '"\'  +SUM(A1)"' in text
    assert '"\'\tTab"' in text and '"\'\nnewline first"' in text and '"\'＝full"' in text
    assert '" plain after a space"' in text


def _li(entry: DigestEntry, titles: dict[str, str], source: str, zone: ZoneInfo) -> str:
    """One entry as the HTML export must write it, built with the stdlib only."""
    url = entry.permalink or ""
    link = (f' <a href="{html.escape(url)}" rel="noopener">{html.escape(source)}</a>'
            if url.lower().startswith(("https://", "http://")) else "")
    labels = "".join(f'<span class="kind">{html.escape(titles.get(kind) or kind)}</span>'
                     for kind in entry.kinds)
    when = entry.posted_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return (f'<li><span class="who">{html.escape(entry.author, quote=False)} · '
            f"{html.escape(entry.channel, quote=False)} · {when}{link}</span>{labels}"
            f'<div class="text" dir="auto">'
            f'{html.escape(_INVISIBLE.sub("", entry.text[:4000]), quote=False)}</div></li>')


async def test_html_entries_are_what_the_stdlib_escapes(harness: Harness) -> None:
    await _seed(harness)
    page = await _export(harness, "html")
    titles = {key: kind_title(harness.plan, harness.svc.tr, key)
              for key in kind_order(harness.plan)}
    source = harness.svc.tr("digest.source")
    for entry in await _entries(harness):
        assert _li(entry, titles, source, harness.svc.zone) in page, entry.text
    # Quoted text loses its invisible characters (names keep theirs, as they always did).
    assert "<script>" not in page and "\u202e" not in page and "\u200b" not in page
    assert 'href="javascript' not in page and "&amp;b=&#x27;x&#x27;&quot;" in page
    assert "2019-11-03 01:59" in page and "2019-11-03 01:00" in page  # the hour twice
    assert '<span class="kind">retired</span>' in page and "&lt;b&gt;odd" in page


@pytest.mark.parametrize("zone", ["America/Toronto", "America/St_Johns", "Asia/Kathmandu",
                                  "Australia/Lord_Howe", "UTC"])
def test_local_minutes_of_stored_text_agree_with_astimezone(zone: str) -> None:
    """Whole-hour offsets take the cached hour; half hours, quarter hours and a zone moving
    by 30 minutes (Lord Howe) take the exact way; both across the changes of 2019."""
    local = LocalMinutes(ZoneInfo(zone))
    moment = datetime(2019, 1, 1, tzinfo=UTC)
    while moment.year == 2019:
        stored = moment.replace(tzinfo=None).isoformat(" ", "microseconds")
        assert local.of_stored(stored) == \
            moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M"), stored
        moment += timedelta(minutes=41, seconds=13)


def _collector(chunks: list[str]) -> Callable[[str], Awaitable[None]]:
    async def collect(text: str) -> None:
        chunks.append(text)
    return collect
