"""Importing list archives made here, on SQLite and PostgreSQL: every encoding, duplicates,
posts without Message-ID or with broken dates; idempotent; threads, tags, excerpts, links,
digests and erasure treat mail like chat."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.digest_values import DigestFilters
from bot.mail.importer import import_archives
from bot.messages import MessageRef
from bot.storage import Storage
from bot.storage.tables import MESSAGES
from bot.tags import TagSet
from bot.workplan import WorkPlan
from tests.support.mail_archives import (
    mbox,
    pipermail_post,
    post,
    raw_post,
    write_pipermail,
)

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 7, tzinfo=UTC)
ARCHIVE = "https://lists.example.org/hyperkitty/list/emm@lists.example.org/message/" \
          "{message_id_hash}/"
FOOTER = ("\n_______________________________________________\nEMM mailing list\n"
          "https://lists.example.org/mailman/listinfo/emm\n")
ROOT = post("root@example.org", subject="[WP3] Pool the travel budget", cte="quoted-printable",
            body="We could pool the travel budget across teams.\n-- \nAlice\n" + FOOTER)
REPLY = post("reply@example.org", sender="=?iso-8859-1?q?Jos=E9?= <jose@example.org>",
             subject="Re: [WP3] Pool the travel budget", in_reply_to="root@example.org",
             references="<root@example.org>", charset="iso-8859-1", cte="base64",
             body="Sí, estoy de acuerdo #solution\n\nOn Mon, Alice wrote:\n> pool it #wp5\n")
HTML = post("html@example.org", subject="Ideas", html="<p>Partager les <b>#ressources</b></p>")
NO_ID = post(None, subject="No id", body="A post without Message-ID #wp1")
BAD_DATE = post("late@example.org", date="sometime in October", body="When? #wp2")
NO_SENDER = raw_post("Subject: nobody\nMessage-ID: <nobody@example.org>", b"who?")


def archive(tmp_path: Path) -> Path:
    path = tmp_path / "emm.mbox"
    path.write_bytes(mbox([ROOT, REPLY, HTML, ROOT, NO_ID, NO_ID, BAD_DATE, NO_SENDER]))
    return path


async def test_imported_posts_are_handed_to_the_language_job(
        any_storage: Storage, plan: WorkPlan, tmp_path: Path) -> None:
    """A post is a message like any other: the detection job gives it its language."""
    any_storage.inclusion.maybe_pending = False  # the job has caught up
    await import_archives(any_storage, plan, [archive(tmp_path)], "emm", ARCHIVE, NOW)
    assert any_storage.inclusion.maybe_pending
    pending = await any_storage.inclusion.pending_languages(100)
    assert {ref.message_id for ref, _, _ in pending} >= {"root@example.org", "html@example.org"}


async def test_import_is_idempotent_and_keeps_threads_tags_and_bodies(
        any_storage: Storage, plan: WorkPlan, tmp_path: Path) -> None:
    path = archive(tmp_path)
    report = await import_archives(any_storage, plan, [path], "emm", ARCHIVE, NOW, batch=3)
    assert (report.read, report.new, report.repeats) == (8, 5, 2)
    assert report.unreadable == ["emm.mbox #8: no From address"]
    again = await import_archives(any_storage, plan, [path], "emm", ARCHIVE, NOW)
    assert (again.new, again.repeats) == (0, 7)
    assert await any_storage.count_messages() == 5

    root = await any_storage.message(MessageRef("email", "emm", "root@example.org"))
    assert root is not None
    assert root.text == "[WP3] Pool the travel budget\n\nWe could pool the travel budget " \
                        "across teams."  # a thread's first post: subject, words, no footer
    assert root.permalink is not None and root.permalink.startswith(
        "https://lists.example.org/hyperkitty/list/emm@lists.example.org/message/")
    assert (root.sender_id, root.sender_name) == ("alice@example.org", "Alice Example")
    full = await any_storage.mail.post("emm", "root@example.org")
    assert full is not None and "EMM mailing list" in full.body and "-- \nAlice" in full.body

    reply = await any_storage.message(MessageRef("email", "emm", "reply@example.org"))
    assert reply is not None and reply.text == "Sí, estoy de acuerdo #solution"
    assert reply.sender_name == "José"
    stored_reply = await any_storage.mail.post("emm", "reply@example.org")
    assert stored_reply is not None and stored_reply.in_reply_to == "root@example.org"
    # The thread's subject tag holds for its replies; #wp5 was only quoted there.
    assert await any_storage.tags_of(reply.ref) == TagSet((3,), ("solution",))
    assert await any_storage.tags_of(root.ref) == TagSet((3,))

    assert {r.message_id for r in await any_storage.messages_for(3)} == {
        "root@example.org", "reply@example.org", "html@example.org"}
    late = await any_storage.message(MessageRef("email", "emm", "late@example.org"))
    assert late is not None and late.posted_at == datetime(2019, 10, 7, 14, tzinfo=UTC)
    [no_id] = await any_storage.messages_for(1)
    assert no_id.message_id.endswith("@content-hash.plenary.invalid")


async def test_threads_are_kept(any_storage: Storage, plan: WorkPlan, tmp_path: Path) -> None:
    await import_archives(any_storage, plan, [archive(tmp_path)], "emm", None, NOW)
    async with any_storage.db.read() as conn:
        threads = dict((await conn.execute(select(MESSAGES.c.message_id, MESSAGES.c.thread_id)
                                           .where(MESSAGES.c.platform == "email"))).all())
    assert threads["reply@example.org"] == "root@example.org"
    assert threads["root@example.org"] is None


async def test_digests_filter_mail_by_list_and_count_it_like_chat(
        any_storage: Storage, plan: WorkPlan, tmp_path: Path) -> None:
    await import_archives(any_storage, plan, [archive(tmp_path)], "emm", ARCHIVE, NOW)
    [figures] = [f for f in await any_storage.figures(DigestFilters(channel="emm"))
                 if f.issue == 3]
    assert (figures.inputs, figures.contributors, figures.channels) == (3, 2, 1)
    assert not [f for f in await any_storage.figures(DigestFilters(channel="other"))
                if f.inputs]
    latest = await any_storage.latest_by_kind(DigestFilters(issues=(3,)), [3], ["comment"], 5)
    entry = latest[3]["comment"][-1]
    assert (entry.ref.platform, entry.channel) == ("email", "emm")
    assert entry.permalink is not None and "/message/" in entry.permalink


async def test_forgetting_an_address_survives_a_reimport(any_storage: Storage, plan: WorkPlan,
                                                         tmp_path: Path) -> None:
    path = archive(tmp_path)
    await import_archives(any_storage, plan, [path], "emm", None, NOW)
    assert await any_storage.mail.forget_address("Alice@Example.org", NOW) == 4
    assert await any_storage.count_messages() == 1  # José's reply only
    assert await any_storage.mail.post("emm", "root@example.org") is None
    again = await import_archives(any_storage, plan, [path], "emm", None, NOW)
    assert again.new == 0 and await any_storage.count_messages() == 1


async def test_plenary_s_own_digests_in_the_archive_are_left_out(
        any_storage: Storage, plan: WorkPlan, tmp_path: Path) -> None:
    path = tmp_path / "with-digest.mbox"
    path.write_bytes(mbox([ROOT, post("plenary-digest.20191007T1300Z@example.org",
                                      sender="plenary@example.org", body="## 3. … #wp3")]))
    report = await import_archives(any_storage, plan, [path], "emm", None, NOW)
    assert (report.read, report.new, report.digests) == (2, 1, 1)
    assert [r.message_id for r in await any_storage.messages_for(3)] == ["root@example.org"]


async def test_an_imported_reply_to_a_digest_is_read_as_the_listener_reads_it(
        any_storage: Storage, plan: WorkPlan, tmp_path: Path) -> None:
    """A reply the listener missed (plenary was down) comes in with the archive: the same
    issue, the same thread, or the post would differ by the way it arrived."""
    digest = "plenary-digest.20191007T1300Z@example.org"
    path = tmp_path / "replies.mbox"
    path.write_bytes(mbox([post("r1@example.org", subject="Re: Digest", in_reply_to=digest,
                                body="> ## 3. Efficient use of resources\n> - Pool it\n\n"
                                     "A shared budget needs a steward.\n")]))
    await import_archives(any_storage, plan, [path], "emm", None, NOW)
    ref = MessageRef("email", "emm", "r1@example.org")
    assert await any_storage.tags_of(ref) == TagSet((3,))
    async with any_storage.db.read() as conn:
        thread = (await conn.execute(select(MESSAGES.c.thread_id).where(
            MESSAGES.c.message_id == ref.message_id))).scalar_one()
    assert thread == digest


async def test_pipermail_volumes_with_obfuscated_senders(any_storage: Storage, plan: WorkPlan,
                                                         tmp_path: Path) -> None:
    write_pipermail(tmp_path / "archive", {
        "2019-October": [pipermail_post("p1@example.org")],
        "2019-November": [pipermail_post("p2@example.org", subject="Re: [EMM] Resources",
                                         date="Fri, 1 Nov 2019 09:00:00 +0100")]})
    url = "https://lists.example.org/pipermail/{list}/{month}/thread.html"
    report = await import_archives(any_storage, plan, [tmp_path / "archive"], "emm", url, NOW)
    assert (report.files, report.new) == (2, 2)
    first = await any_storage.message(MessageRef("email", "emm", "p1@example.org"))
    assert first is not None and first.sender_id == "bob@example.org"
    assert first.permalink == \
        "https://lists.example.org/pipermail/emm/2019-October/thread.html#p1@example.org"
    assert [r.message_id for r in await any_storage.messages_for(3)] == ["p1@example.org",
                                                                         "p2@example.org"]


def test_the_import_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PLENARY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    path = archive(tmp_path)
    assert main(["import", "mbox", str(path), "--list", "emm"]) == 0
    first = capsys.readouterr()
    first_run = first.out.splitlines()
    assert "importing into emm" not in first.err  # no bar where no terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["import", "pipermail", str(path), "--list", "emm"]) == 0
    captured = capsys.readouterr()
    assert "importing into emm: " in captured.err and "8 posts" in captured.err  # the bar
    out = first_run + captured.out.splitlines()
    assert out[0].startswith("8 posts read from 1 file(s) into list emm: 5 new, "
                             "2 already stored, 1 unreadable")
    assert out[1] == "  not imported: emm.mbox #8: no From address"
    assert out[2].startswith("8 posts read from 1 file(s) into list emm: 0 new, "
                             "7 already stored")
    assert main(["import", "mbox", str(tmp_path / "missing.mbox"), "--list", "emm"]) == 2
