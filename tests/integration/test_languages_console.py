"""End to end through the console, as a person runs it: members in Arabic, Chinese, Russian
and Spanish tag with native hashtags, are told once what is kept, get answers in their
language, and what they wrote is in the database byte for byte."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.text import to_plain, without_isolates
from tests.conftest import make_settings
from tests.integration.test_console import console
from tests.support.multilingual import MEMBERS

pytestmark = pytest.mark.integration


def test_members_in_four_languages_tag_are_told_once_and_answered_in_theirs(
        tmp_path: Path) -> None:
    lines = []
    for member in MEMBERS:
        who = f"@{member.name}: "
        lines += [who + member.choose_language, who + member.text, who + member.text + " 2",
                  who + member.command("help"), who + member.command("my-data")]
    run = console(tmp_path, *lines)  # the consent notice is on by default
    out = run.stdout
    settings = make_settings(consent_notice=True)
    for member in MEMBERS:
        assert f"): {to_plain(member.lang_set)}\n" in out, member.locale  # (re m1)
        notice = (f"plenary → @{member.name} (private): "
                  f"{without_isolates(to_plain(member.notice(settings)))}")
        assert out.count(notice) == 1, member.locale  # two messages, one notice
        assert f"): **{member.help_title}**" in out, member.locale
        caption = member.tr("my_data.caption", count=2, forget=member.command("forget-me"))
        assert to_plain(caption) in out, member.locale  # Arabic's dual: "رسالتان"
    with sqlite3.connect(tmp_path / "plenary.db") as db:
        stored = dict(db.execute(
            "SELECT sender_id, text FROM messages WHERE text NOT LIKE '% 2'").fetchall())
        told = {row[0] for row in db.execute(
            "SELECT user_id FROM consent_notices WHERE told_at IS NOT NULL")}
        issues = {row[0] for row in db.execute(
            "SELECT DISTINCT issue FROM tags JOIN messages USING (platform, conversation_id, "
            "message_id)")}
    assert {m.name: m.text for m in MEMBERS} == stored  # byte for byte, through stdin
    assert told == {m.name for m in MEMBERS} and issues == {3}
    files = [json.JSONDecoder().raw_decode(block.split("\n", 1)[1])[0]
             for block in out.split("(private file ")[1:]]
    assert sorted(f["messages"][0]["text"] for f in files) == sorted(m.text for m in MEMBERS)
