"""Streaming the posts out of archive files, one at a time, so memory stays flat.

An mbox (Mailman 3 / HyperKitty's export, `mailbox` mboxo/mboxrd) and pipermail's monthly
`2019-October.txt` (or `.txt.gz`) files are both `From `-line separated; a body line that
began with `From ` was written `>From `, and is given back (mboxrd's rule, which undoes
mboxo's too for the lines it escaped).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

_ESCAPED = re.compile(rb"^>(>*From )")
# "From bob at example.org  Mon Oct  7 10:00:00 2019" (asctime, with or without a zone)
_ASCTIME = re.compile(rb"(\w{3}) +(\w{3}) +(\d{1,2}) +(\d{1,2}:\d{2}:\d{2}) +(\d{4})")
# HyperKitty's downloads: `emm@lists.example.org-2019-10.mbox.gz`.
_MBOX_NAMES = (".mbox", ".mbx", ".mbox.gz", ".mbx.gz")
_MONTHLY = re.compile(r"^\d{4}-[A-Za-z]+(?:\.txt)?(?:\.gz)?$")


@dataclass(frozen=True, slots=True)
class RawPost:
    raw: bytes
    envelope: bytes | None  # the `From ` line
    source: str  # the file it came from (pipermail: `2019-October`), for archive links

    def envelope_at(self) -> datetime | None:
        """The `From ` line's date: the archive's own, for a post whose Date is unreadable
        (read only then: parsing it for every post would cost a tenth of the import)."""
        return _envelope_date(self.envelope)


def archive_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, a directory's monthly archives (in date order) or its mbox files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and (
                _MONTHLY.match(p.name) or p.name.endswith(_MBOX_NAMES)))
            files.extend(sorted(inside, key=_month_order))
        else:
            files.append(path)
    return files


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]


def _month_order(path: Path) -> tuple[str, int, str]:
    year, _, rest = path.name.partition("-")
    month = rest.split(".")[0].lower()
    return (year, _MONTHS.index(month) if month in _MONTHS else 99, path.name)


def read_posts(path: Path) -> Iterator[RawPost]:
    source = path.name.split(".")[0] if _MONTHLY.match(path.name) else path.name
    with _open(path) as stream:
        yield from split_posts(stream, source)


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def split_posts(stream: Iterable[bytes], source: str) -> Iterator[RawPost]:
    lines: list[bytes] = []
    envelope: bytes | None = None
    previous_blank = True
    for line in stream:
        # A `From ` line after a blank one, or any that carries a date (some tools leave
        # the blank line out); a body's own `From ` lines were escaped by the writer.
        if line.startswith(b"From ") and (previous_blank or _ASCTIME.search(line)):
            if envelope is not None or lines:
                yield _post(lines, envelope, source)
            lines, envelope = [], line
            previous_blank = False
            continue
        if line[:1] == b">" and _ESCAPED.match(line):
            line = line[1:]
        lines.append(line)
        previous_blank = line in (b"\n", b"\r\n")
    if envelope is not None or any(line.strip() for line in lines):
        yield _post(lines, envelope, source)


def _post(lines: list[bytes], envelope: bytes | None, source: str) -> RawPost:
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]  # the blank line that separates posts is the archive's, not theirs
    return RawPost(b"".join(lines), envelope, source)


def _envelope_date(line: bytes | None) -> datetime | None:
    if not line:
        return None
    found = _ASCTIME.search(line)
    if not found:
        return None
    _, month, day, clock, year = (part.decode("ascii") for part in found.groups())
    try:
        return datetime.strptime(f"{year} {month} {day} {clock}", "%Y %b %d %H:%M:%S"
                                 ).replace(tzinfo=UTC)
    except ValueError:
        return None
