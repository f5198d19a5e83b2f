"""Streaming posts out of mbox files and pipermail volumes."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from bot.mail.mbox import archive_files, read_posts, split_posts
from tests.support.mail_archives import mbox, post


def test_posts_split_and_from_lines_unescaped() -> None:
    data = mbox([post("a@x", body="First\nFrom here on, escaped"), post("b@x", body="Second")])
    found = list(split_posts(data.splitlines(keepends=True), "test"))
    assert len(found) == 2
    assert b"\nFrom here on, escaped" in found[0].raw and b">From" not in found[0].raw
    assert found[0].envelope_at() == datetime(2019, 10, 7, 14, tzinfo=UTC)
    assert found[1].raw.endswith(b"Second\n")


def test_a_from_line_without_the_blank_line_before_still_splits() -> None:
    data = (b"From a@x Mon Oct  7 14:00:00 2019\nFrom: a@x\n\none\n"
            b"From b@x Mon Oct  7 15:00:00 2019\nFrom: b@x\n\ntwo\n")
    assert [p.raw for p in split_posts(data.splitlines(keepends=True), "t")] == [
        b"From: a@x\n\none\n", b"From: b@x\n\ntwo\n"]


def test_gzipped_volumes_and_folders_in_month_order(tmp_path: Path) -> None:
    for month in ("2019-November", "2019-October", "2020-January"):
        (tmp_path / f"{month}.txt.gz").write_bytes(gzip.compress(mbox([post(month)])))
    (tmp_path / "notes.html").write_text("not an archive")
    files = archive_files([tmp_path])
    assert [f.name for f in files] == ["2019-October.txt.gz", "2019-November.txt.gz",
                                       "2020-January.txt.gz"]
    [one] = list(read_posts(files[0]))
    assert one.source == "2019-October" and b"<2019-October>" in one.raw


def test_hyperkitty_downloads_gzipped_or_not(tmp_path: Path) -> None:
    (tmp_path / "emm@lists.example.org-2019-10.mbox.gz").write_bytes(
        gzip.compress(mbox([post("a@x"), post("b@x")])))
    (tmp_path / "emm@lists.example.org-2019-11.mbox").write_bytes(mbox([post("c@x")]))
    files = archive_files([tmp_path])
    assert [len(list(read_posts(f))) for f in files] == [2, 1]
