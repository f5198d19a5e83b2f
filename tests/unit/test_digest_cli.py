"""`plenary digest --format …` and `plenary audit`, on a migrated database."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import open_storage
from bot.messages import Conversation, IncomingMessage, MessageRef
from bot.tags import TagSet
from tests.conftest import SHIPPED_PLAN, make_settings

AT = datetime(2019, 10, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    for name, value in {"PLENARY_DATABASE_URL": url, "PLENARY_WORKPLAN": str(SHIPPED_PLAN),
                        "PLENARY_STAFF": "carol"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env

    async def seed() -> None:
        async with open_storage(make_settings(database_url=url)) as storage:
            room = Conversation("slack", "C1", name="general")
            msg = IncomingMessage(room, "1.0001", "U1", "=SUM(A1) <b>bold</b> #wp3", AT,
                                  sender_name="Ana", permalink="https://x.slack.com/p1")
            await storage.save_message(msg, TagSet((3,), ("solution",)), AT)
            await storage.digests.hide(MessageRef("slack", "C1", "nope"), "x", "carol", AT)
            await storage.digests.set_plan_column(3, "responsible", "Jane", "", "slack",
                                                  "carol", AT)

    asyncio.run(seed())
    return url


def test_digest_as_csv_and_html_to_a_file(database: str, tmp_path: Path) -> None:
    assert main(["digest", "--format", "csv", "--output", str(tmp_path / "d.csv")]) == 0
    written = (tmp_path / "d.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(written, newline="")))
    assert [(r["issue"], r["text"]) for r in rows] == [("3", "'=SUM(A1) <b>bold</b> #wp3")]
    assert main(["digest", "--issue", "wp3", "--format", "html",
                 "--output", str(tmp_path / "d.html")]) == 0
    page = (tmp_path / "d.html").read_text()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<svg" in page and "Jane" in page


def test_audit_prints_every_change(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1  # hiding a message that is not stored changes nothing
    assert lines[0].split("\t")[1:4] == ["carol", "workplan", "slack"]
    assert lines[0].endswith("#3 responsible: '' → 'Jane'")
