"""Importing list archives: posts streamed from the files, parsed and stored a batch at a
time (one transaction each), so that memory stays flat however big the archive."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path

from bot.mail.digest_ids import digest_period_end
from bot.mail.mbox import RawPost, archive_files, read_posts
from bot.mail.parse import Malformed, parse_post
from bot.mail.records import post_record
from bot.storage import Storage
from bot.storage.mail_store import PostRecord
from bot.workplan import WorkPlan

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(slots=True)
class ImportReport:
    files: int = 0
    read: int = 0
    new: int = 0
    repeats: int = 0
    digests: int = 0  # plenary's own digest mails, as the list archived them: not input
    unreadable: list[str] = field(default_factory=list)  # "2019-October #12: no From address"


async def import_archives(storage: Storage, plan: WorkPlan, paths: Iterable[Path],
                          list_name: str, archive_url: str | None, now: datetime,
                          progress: Callable[[int], None] | None = None,
                          batch: int = BATCH) -> ImportReport:
    """Idempotent: a post stored before (by Message-ID, or content hash without one) is
    counted as a repeat and left as it is. `progress` is told how many more posts were read
    (unreadable ones too) each time a batch is stored."""
    report = ImportReport()
    files = archive_files(paths)
    report.files = len(files)
    posts = _parsed(_raw_posts(files), list_name, plan, archive_url, now, report)
    shown = 0
    # One batch at a time: parsing and the database's Python side (rows, bound values) both
    # hold the GIL, so writing a batch while parsing the next was measured to gain nothing.
    while chunk := list(islice(posts, batch)):
        outcomes = await storage.mail.save_posts(chunk, now)
        new = sum(outcome.stored for outcome in outcomes)
        report.new += new
        report.repeats += len(outcomes) - new
        if progress is not None:
            progress(report.read - shown)
            shown = report.read
    if progress is not None and report.read > shown:
        progress(report.read - shown)  # unreadable posts after the last batch, or only those
    return report


def _raw_posts(files: list[Path]) -> Iterator[RawPost]:
    for path in files:
        yield from read_posts(path)


def _parsed(raws: Iterator[RawPost], list_name: str, plan: WorkPlan, archive_url: str | None,
            now: datetime, report: ImportReport) -> Iterator[PostRecord]:
    numbers: dict[str, int] = {}
    for raw in raws:
        report.read += 1
        number = numbers[raw.source] = numbers.get(raw.source, 0) + 1
        def fallback(raw: RawPost = raw) -> datetime:
            return raw.envelope_at() or now
        try:
            post = parse_post(raw.raw, fallback_at=fallback)
        except Malformed as exc:
            report.unreadable.append(f"{raw.source} #{number}: {exc}")
            log.warning("post %d of %s not imported: %s", number, raw.source, exc)
            continue
        if digest_period_end(post.message_id) is not None:
            report.digests += 1
            continue
        month = raw.source if _is_volume(raw.source) else None
        yield post_record(post, list_name, plan, archive_url, month)


def _is_volume(source: str) -> bool:
    """A pipermail volume name (`2019-October`), which its archive's links use."""
    year, _, month = source.partition("-")
    return year.isdigit() and month.isalpha()
