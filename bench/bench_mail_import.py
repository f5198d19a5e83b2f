"""Mail archive import benchmark: N posts imported, beside the standard library's own parse.

    python -m bench.bench_mail_import [--posts 100000] [--database-url URL]

Writes an mbox of N posts of every kind an archive holds (plain UTF-8, quoted-printable,
base64 ISO-8859-1, HTML-only, no Message-ID; replies quoting their parent with an
attribution line, signatures and the list footer; subject tags and hashtags), then, each in
a fresh process: `mailbox.mbox` iterating over it (the stdlib's parse alone, its default
`compat32` messages), the same with `policy.default` messages, and `plenary import` into an
empty database (parse, excerpt, tags, storage). The import is run on the whole file and on a
quarter of it: the same peak memory shows it does not grow with the archive. Target:
>= 2,000 posts/s (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import quopri
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import own_peak_rss_mb, ratio, timed

TARGET_RATE = 2000.0
FOOTER = ("_______________________________________________\nEMM mailing list\n"
          "EMM@lists.example.org\nhttps://lists.example.org/mailman/listinfo/emm\n")
WORDS = ("budget travel interpreters chairs rotation consensus scoping priorities trust silos "
         "representation inclusivity newcomers fellowship remote participation timeline "
         "représentation l’équipe déjà").split()
TAGS = ["[WP1]", "[WP3]", "[Issue 5]", "", "", "[emm]"]
HASHTAGS = ["#wp3", "#solution", "#ressources", "#quickwin", "", "", ""]
START = datetime(2019, 6, 3, 9, tzinfo=UTC)


def write_archive(path: Path, posts: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with path.open("wb") as out:
        for n in range(posts):
            out.write(_post(n, rng))


def _post(n: int, rng: random.Random) -> bytes:
    sender = n % 400
    at = START + timedelta(minutes=7 * n)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
    text = f"{words} {rng.choice(HASHTAGS)}\n\n-- \nMember {sender}\n{FOOTER}"
    headers = [f"From member{sender}@example.org  {at:%a %b %d %H:%M:%S %Y}",
               f"From: Member {sender} <member{sender}@example.org>",
               f"Subject: {'Re: ' if n % 3 else ''}{rng.choice(TAGS)} Topic {n // 3}",
               f"Date: {at:%a, %d %b %Y %H:%M:%S} +0000",
               "List-Id: EMM discussion <emm.lists.example.org>", "MIME-Version: 1.0"]
    if n % 20 != 7:  # one in twenty has no Message-ID
        headers.append(f"Message-ID: <post-{n}@example.org>")
    if n % 3:
        parent = n - n % 3
        headers += [f"In-Reply-To: <post-{parent}@example.org>",
                    f"References: <post-{parent}@example.org>"]
        text = (f"On {at:%a, %d %b %Y}, Member {parent % 400} wrote:\n> earlier words "
                f"#wp5\n> more of them\n\n") + text
    kind = n % 20
    if kind < 14:
        headers += ["Content-Type: text/plain; charset=utf-8",
                    "Content-Transfer-Encoding: 8bit"]
        body = text.encode("utf-8")
    elif kind < 16:
        headers += ["Content-Type: text/plain; charset=utf-8",
                    "Content-Transfer-Encoding: quoted-printable"]
        body = quopri.encodestring(text.encode("utf-8"))
    elif kind < 19:
        headers += ["Content-Type: text/plain; charset=iso-8859-1",
                    "Content-Transfer-Encoding: base64"]
        encoded = base64.encodebytes(text.replace("’", "'").encode("iso-8859-1"))
        body = encoded
    else:
        headers += ["Content-Type: text/html; charset=utf-8"]
        html = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
        body = f"<html><body>{html}</body></html>\n".encode()
    body = b"\n".join(b">" + line if line.startswith(b"From ") else line
                      for line in body.split(b"\n"))
    return "\n".join(headers).encode("utf-8") + b"\n\n" + body.rstrip(b"\n") + b"\n\n"


def quarter(path: Path, target: Path, posts: int) -> int:
    """The first quarter of the archive's posts, as a file of its own (streamed)."""
    keep, seen = max(1, posts // 4), 0
    with path.open("rb") as source, target.open("wb") as out:
        for line in source:
            if line.startswith(b"From member"):
                seen += 1
                if seen > keep:
                    break
            out.write(line)
    return keep


# In a fresh process each: peak memory is the process's own. -----------------------------

def run_mailbox(path: Path, modern: bool) -> dict[str, float]:
    import email
    import mailbox
    from email import policy

    count = 0
    with timed() as timer:
        if modern:
            box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(
                f, policy=policy.default))
        else:
            box = mailbox.mbox(path)
        for _ in box:
            count += 1
    return {"posts": count, "seconds": timer.seconds, "rss": own_peak_rss_mb()}


def run_import(path: Path, url: str) -> dict[str, float]:
    from bot.settings import Settings
    from bot.storage import Database, Storage, make_engine
    from bot.storage.schema import Base
    from bot.workplan import load_workplan

    async def go() -> dict[str, float]:
        from bot.mail.importer import import_archives

        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.run_sync(Base.metadata.create_all)
        storage = Storage(Database(engine))
        plan = load_workplan(settings.workplan)
        try:
            with timed() as timer:
                report = await import_archives(storage, plan, [path], "emm", None,
                                               datetime.now(UTC))
                await storage.close()
        finally:
            await engine.dispose()
        return {"posts": report.read, "new": report.new, "seconds": timer.seconds,
                "rss": own_peak_rss_mb()}
    return asyncio.run(go())


def _in_process(*args: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "bench.bench_mail_import", "--child", *args],
                          check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, path = args.child[0], Path(args.child[1])
        if what == "import":
            print(json.dumps(run_import(path, args.child[2])))
        else:
            print(json.dumps(run_mailbox(path, modern=what == "mailbox-default")))
        return
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "emm.mbox"
        with timed() as made:
            write_archive(archive, args.posts)
        small = Path(folder) / "emm-quarter.mbox"
        small_posts = quarter(archive, small, args.posts)
        print(f"archive: {args.posts:,} posts, {archive.stat().st_size / 1e6:.0f} MB, written "
              f"in {made.seconds:.1f} s")

        def url(name: str) -> str:
            return args.database_url or f"sqlite+aiosqlite:///{Path(folder) / name}"
        raw = _in_process("mailbox", str(archive))
        modern = _in_process("mailbox-default", str(archive))
        ours = _in_process("import", str(archive), url("all.db"))
        ours_small = _in_process("import", str(small), url("quarter.db"))
    rate = ours["posts"] / ours["seconds"]
    raw_rate = raw["posts"] / raw["seconds"]
    modern_rate = modern["posts"] / modern["seconds"]
    print(f"stdlib mailbox.mbox parse alone (compat32):   {raw['seconds']:7.2f} s "
          f"{raw_rate:8,.0f} posts/s  peak {raw['rss']:6.1f} MB")
    print(f"stdlib mailbox.mbox with policy.default:       {modern['seconds']:7.2f} s "
          f"{modern_rate:8,.0f} posts/s  peak {modern['rss']:6.1f} MB")
    print(f"plenary import (parse, excerpt, tags, store): {ours['seconds']:7.2f} s "
          f"{rate:8,.0f} posts/s  peak {ours['rss']:6.1f} MB  ({int(ours['new']):,} stored)")
    print(f"  time against the bare parse: {ratio(ours['seconds'], raw['seconds'])}; against "
          f"policy.default: {ratio(ours['seconds'], modern['seconds'])}")
    print(f"  a quarter of the archive ({small_posts:,} posts): peak "
          f"{ours_small['rss']:.1f} MB (memory flat: {ours['rss'] - ours_small['rss']:+.1f} MB "
          f"for 4x the posts)")
    print(f"target >= {TARGET_RATE:,.0f} posts/s: {'met' if rate >= TARGET_RATE else 'MISSED'}")


if __name__ == "__main__":
    main()
