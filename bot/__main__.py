"""The `plenary` command: run the bot, export digests, upgrade the database, check config.

This is the only place that prints configuration errors and exits non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot import __version__
from bot.errors import AdapterError, ConfigError, UserError
from bot.logs import configure_logging
from bot.settings import Settings, load_settings
from bot.workplan import WorkPlan, load_workplan

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1  # a platform that cannot be reached at start: not a settings mistake


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plenary", description="Mailing-list style engagement for public consultations, "
        "in Slack and Matrix. Settings come from PLENARY_* environment variables (or .env).")
    parser.add_argument("--version", action="version", version=f"plenary {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot (console chat unless Slack or Matrix is set)")
    digest = commands.add_parser("digest", help="write a digest from the database")
    digest.add_argument("--issue", action="append", default=[], metavar="N",
                        help="an issue (3, #3, wp3 or an alias); repeat for several")
    digest.add_argument("--since", help="ISO date (2019-10-01) or 7d")
    digest.add_argument("--until", help="ISO date or 7d")
    digest.add_argument("--channel", help="a channel or room name or id")
    digest.add_argument("--kind", action="append", default=[], help="solution, quickwin, ...")
    digest.add_argument("--author", help="a user id or name")
    digest.add_argument("--format", choices=("md", "csv", "json", "html"), default="md")
    digest.add_argument("--output", type=Path, help="a file (default: standard output)")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_commands.add_parser("upgrade", help="migrate the database to the newest schema")
    backup = db_commands.add_parser("backup", help="copy a SQLite database while the bot runs")
    backup.add_argument("path", type=Path, help="the copy to write (replaced if it exists)")
    commands.add_parser("check-config", help="validate settings and work plan, print a summary")
    backfill = commands.add_parser("backfill", help="tag the past messages of a Matrix room")
    backfill.add_argument("room", help="a room id (!abc:example.org) or alias (#room:example.org)")
    backfill.add_argument("--since", required=True, help="ISO date (2019-10-01) or 30d")
    _add_import_parser(commands)
    audit = commands.add_parser("audit", help="print who tagged, untagged, hid or edited what")
    audit.add_argument("--since", help="ISO date (2019-10-01) or 7d")
    audit.add_argument("--limit", type=int, default=200, help="newest entries (default 200)")
    return parser


def _add_import_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("import", help="import a mailing list's archive")
    formats = parser.add_subparsers(dest="import_format", metavar="FORMAT", required=True)
    for name, what in (("mbox", "mbox files (Mailman 3 / HyperKitty export, mboxrd)"),
                       ("pipermail", "pipermail monthly archives (2019-October.txt.gz) "
                                     "or a folder of them")):
        sub = formats.add_parser(name, help=what)
        sub.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        sub.add_argument("--list", required=True, dest="list_name", metavar="NAME",
                         help="the list's name: the channel its posts are filed under")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        configure_logging(settings)
        plan = load_workplan(settings.workplan)
        if command == "check-config":
            print(_summary(settings, plan))
            return 0
        if command == "db":
            return _run_async(_db(settings, args))
        if command == "digest":
            return _run_async(_digest(settings, plan, args))
        if command == "backfill":
            from bot.backfill import run_backfill

            return _run_async(run_backfill(settings, plan, args.room, args.since))
        if command == "import":
            from bot.app import open_storage
            from bot.mail.cli import run_import

            return _run_async(run_import(settings, plan, args, open_storage))
        if command == "audit":
            from bot.app import open_storage
            from bot.digests.cli import print_audit

            return _run_async(print_audit(settings, plan, args, open_storage))
        return _run_async(_serve(settings, plan))
    except ConfigError as exc:
        print(f"plenary: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except UserError as exc:
        print(f"plenary: {exc.user_text}", file=sys.stderr)
        return EXIT_CONFIG
    except AdapterError as exc:
        print(f"plenary: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE


def _run_async(main_coroutine: Coroutine[Any, Any, int]) -> int:
    async def supervised() -> int:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, task.cancel)
        try:
            return await main_coroutine
        except asyncio.CancelledError:
            return 0

    return asyncio.run(supervised())


async def _serve(settings: Settings, plan: WorkPlan) -> int:
    from bot.app import run

    await run(settings, plan)
    return 0


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    if args.db_command == "backup":
        from bot.storage.backup import backup_sqlite

        source = await backup_sqlite(settings.database_url, args.path)
        print(f"backed up {source} to {args.path}")
        return 0
    return await _upgrade(settings)


async def _upgrade(settings: Settings) -> int:
    from bot.app import open_storage

    async with open_storage(settings):
        print("database is at the newest schema")
    return 0


async def _digest(settings: Settings, plan: WorkPlan, args: argparse.Namespace) -> int:
    from bot.app import open_storage
    from bot.digests.cli import write_digest

    return await write_digest(settings, plan, args, open_storage)


def _summary(settings: Settings, plan: WorkPlan) -> str:
    platforms = [name for name, on in (("slack", settings.slack_enabled),
                                       ("matrix", settings.matrix_enabled)) if on] or ["console"]
    return "\n".join([
        f"work plan: {settings.workplan} — {len(plan.issues)} issues, {len(plan.kinds)} kinds, "
        f"{len(plan.milestones)} milestones, timezone {plan.timezone}",
        f"database: {_redact(settings.database_url)}",
        f"adapters: {', '.join(platforms)}",
        *([f"mail listener: {settings.mail_listen} ({settings.mail_protocol}), accepting "
           f"{', '.join(settings.mail_accept)}"] if settings.mail_listen else []),
        f"staff: {len(settings.staff)} listed; locale {settings.locale}; "
        f"command prefix {settings.command_prefix}",
        "configuration OK",
    ])


def _redact(url: str) -> str:
    """A database URL without its password: secrets never reach output or logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
