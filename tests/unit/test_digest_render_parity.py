"""On SQLite, exports are rendered by the query itself; they must be byte for byte what the
Python formatters write (tricky text, several kinds, hidden inputs, a DST change)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

import pytest

from bot.digests.build import DigestScope
from bot.digests.exports import Exporter
from bot.digests.model import DigestFilters
from bot.messages import Conversation, IncomingMessage, MessageRef
from bot.storage import render_workers
from bot.storage.render_workers import Parallelism, Statement
from bot.tags import TagSet, TagSource
from tests.fakes import Harness

TRICKY = [
    '=HYPERLINK("http://evil")', "  +SUM(A1)", "＠fullwidth", "-minus", "@at", "\tTab",
    'quotes "inside" and, commas', "line one\nline two\r\nthree", "<script>alert(1)</script>",
    "bidi \u202eevil\u202c and zero\u200bwidth\ufeff", "ümlaut & ampersand > greater",
    "x" * 4100, "",
    # The invisible characters' first byte without them: typographic quotes, dash, emoji.
    "l’équipe “dit” — ✅ & <b>", "l’équipe — ✅ simple",
]


async def _seed(harness: Harness) -> None:
    zone_change = [datetime(2019, 11, 3, 5, 59, 59, 999999, tzinfo=UTC),  # EDT, last instant
                   datetime(2019, 11, 3, 6, 0, tzinfo=UTC),  # EST
                   datetime(2019, 3, 10, 7, 30, 15, 250000, tzinfo=UTC)]  # EDT
    for n, text in enumerate(TRICKY):
        posted = zone_change[n % 3].replace(day=zone_change[n % 3].day) if n < 3 else \
            datetime(2019, 10, 1 + n, 12, n, n, tzinfo=UTC)
        where = Conversation("test", f"room-{n % 2}", name=None if n == 4 else '"quoted" <room>')
        msg = IncomingMessage(where, f"m-{n}", f"=user{n}", text, posted,
                              sender_name=None if n % 3 == 0 else f'Name "{n}" <b>',
                              permalink=None if n % 4 == 0 else
                              ("javascript:alert(1)" if n == 5 else f"https://chat/{n}?a=1&b='x'"))
        kinds = (("solution", "quickwin", "collab")[: n % 4])
        await harness.storage.save_message(msg, TagSet((1 + n % 3,), kinds), posted)
    await harness.storage.digests.hide(MessageRef("test", "room-1", "m-3"), "off-topic", "carol",
                                       datetime(2019, 12, 1, tzinfo=UTC))
    # Kinds changed after saving, in every way storage has (the rendering reads them off the
    # message, the Python formatters off `message_kinds`), and kinds the plan does not know.
    at = datetime(2019, 12, 2, tzinfo=UTC)
    await harness.storage.add_tags(_ref(1), TagSet((), ("comment",)), TagSource.COMMAND,
                                   "carol", at)
    await harness.storage.remove_tags(_ref(2), TagSet((), ("quickwin",)), None, "carol", at)
    await harness.storage.edit_message(_ref(6), "edited", TagSet((1,), ("collab",)), "=user6",
                                       at, at)
    for n, kind in ((7, "retired"), (10, "<b>odd")):
        await harness.storage.add_tags(_ref(n), TagSet((), (kind,)), TagSource.COMMAND, "carol",
                                       at)
    await harness.storage.remove_tags(_ref(9), TagSet((), ("solution",)), TagSource.HASHTAG,
                                      "carol", at)


def _ref(n: int) -> MessageRef:
    return MessageRef("test", f"room-{n % 2}", f"m-{n}")


# Ranges of two rows: every issue is cut, and worker processes render the ranges.
IN_WORKERS = Parallelism(workers=2, rows_per_range=2, min_full_ranges=1, ranges_ahead=2)


@pytest.mark.parametrize("fmt", ["csv", "html"])
@pytest.mark.parametrize("parallelism", [None, IN_WORKERS], ids=["in-process", "in-workers"])
async def test_sqlite_rendering_matches_the_python_formatters(
        harness: Harness, fmt: str, parallelism: Parallelism | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[int] = []  # statements given to worker processes
    original = render_workers.stream_statements

    def counting(database: str, statements: Sequence[Statement], workers: int, ahead: int
                 ) -> AsyncGenerator[tuple[int, str]]:
        handed.append(len(statements))
        return original(database, statements, workers, ahead)
    monkeypatch.setattr(render_workers, "stream_statements", counting)
    await _seed(harness)
    scope = DigestScope(DigestFilters(), "all time")
    now = datetime(2020, 1, 1, tzinfo=UTC)
    outputs = []
    for in_database in (True, False):
        exporter = Exporter(harness.storage, harness.plan, harness.svc.tr, harness.svc.zone,
                            render_in_database=in_database, parallelism=parallelism)
        assert exporter.render_in_database is in_database
        chunks: list[str] = []
        await exporter.write(fmt, scope, now, _collector(chunks))
        outputs.append("".join(chunks))
    in_sql, in_python = outputs
    assert bool(handed) is (parallelism is not None) and all(n > 3 for n in handed)
    assert "hidden" not in in_python and "m-3" not in in_python  # the hidden input stays out
    assert in_sql == in_python
    if fmt == "html":  # the rows really went through: escaped, with their labels and times
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in in_sql and "<script>" not in in_sql
        assert "2019-11-03 01:59" in in_sql and "2019-11-03 01:00" in in_sql
        assert '<span class="kind">retired</span>' in in_sql  # a kind the plan lost
        assert "&lt;b&gt;odd" in in_sql and "<b>odd" not in in_sql
        assert 'href="javascript' not in in_sql and "&amp;b=&#x27;x&#x27;" in in_sql
    else:
        assert '"\'=HYPERLINK(""http://evil"")"' in in_sql and '"\'  +SUM(A1)"' in in_sql
        assert '"quickwin solution"' in in_sql or '"quickwin"' in in_sql


def _collector(chunks: list[str]) -> Callable[[str], Awaitable[None]]:
    async def collect(text: str) -> None:
        chunks.append(text)
    return collect
