"""The digest as CSV (RFC 4180) for a spreadsheet: one row per input and issue, every field
quoted, formula-looking cells made inert (`escaping`). At run time it imports only the
escaping rules: `records` is also run by an export's worker processes (`row_workers`)."""

from __future__ import annotations

from contextlib import aclosing
from functools import partial
from typing import TYPE_CHECKING

from bot.digests.escaping import csv_cell, csv_line, csv_quoted

if TYPE_CHECKING:
    from bot.digests.export_head import ExportSource, Head, Write
    from bot.storage.digest_queries import ExportRow

CSV_COLUMNS = ("issue", "issue_title", "kinds", "posted_at", "author", "author_id", "platform",
               "channel", "message_id", "permalink", "text", "language", "group")


UTF8_BOM = "\ufeff"


async def write_csv(source: ExportSource, head: Head, out: Write) -> None:
    # A byte-order mark: spreadsheets (Excel) then read the file as UTF-8, so Arabic, Chinese
    # and accents open intact instead of in the system's legacy code page.
    await out(UTF8_BOM + csv_line(CSV_COLUMNS))
    # The issue's own cells are the same on every row: rendered once.
    parts = [(issue.number, partial(records, f'"{issue.number}",'
                                             f'"{csv_cell(issue.title.get(source.tr.locale))}","'))
             for issue in head.issues]
    async with aclosing(source.rendered_rows(head.scope.filters, parts)) as chunks:
        async for _, text in chunks:
            await out(text)


def records(leading: str, rows: list[ExportRow]) -> str:
    """The rows' records, each after `leading`: one comprehension, no call per row beyond the
    cells' own (a million rows are the export's whole cost)."""
    return "".join([
        f'{leading}{csv_quoted(kinds or "")}","{_iso_utc(posted_at)}",'
        f'"{csv_cell(sender_name or sender_id)}","{csv_cell(sender_id)}",'
        f'"{csv_quoted(platform)}","{csv_cell(conversation_name or conversation_id)}",'
        f'"{csv_cell(message_id)}","{csv_cell(permalink or "")}","{csv_cell(text)}",'
        f'"{csv_quoted(language or "")}","{csv_cell(group or "")}"\r\n'
        for (platform, conversation_id, message_id, conversation_name, sender_id, sender_name,
             text, posted_at, permalink, kinds, language, group) in rows])


def _iso_utc(stored: str) -> str:
    """`datetime.isoformat()` of a row's UTC text (`2019-10-02 14:05:00.000000`):
    `2019-10-02T14:05:00+00:00`, with the fraction only when there is one."""
    fraction = "" if stored.endswith(".000000") else stored[19:]
    return f"{stored[:10]}T{stored[11:19]}{fraction}+00:00"
