"""The `plenary digest` and `plenary audit` commands: exports and the audit log, offline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TextIO

from bot.digests.build import DigestScope
from bot.digests.exports import Exporter
from bot.digests.filters import parse_moment, parse_request
from bot.digests.period import describe_dates
from bot.i18n import Translator
from bot.ports import SystemClock
from bot.services import display_zone
from bot.settings import Settings
from bot.storage import Storage
from bot.workplan import WorkPlan

# The composition root (`bot.app.open_storage`) is handed in: a feature never imports it.
StorageOpener = Callable[[Settings], AbstractAsyncContextManager[Storage]]


async def write_digest(settings: Settings, plan: WorkPlan, args: argparse.Namespace,
                       open_storage: StorageOpener) -> int:
    """Everything tagged (all time unless dates are given), in the chosen format."""
    words: list[str] = list(args.issue)
    for keyword in ("since", "until", "channel", "author"):
        if getattr(args, keyword):
            words += [keyword, getattr(args, keyword)]
    for kind in args.kind:
        words += ["kind", kind]
    tr = Translator(settings.locale)
    now = SystemClock().now()
    zone = display_zone(settings, plan)
    request = parse_request(tuple(words), plan, tr, now, zone)
    scope = DigestScope(request.filters, describe_dates(request.filters, tr, zone))
    async with open_storage(settings) as storage:
        exporter = Exporter(storage, plan, tr, zone, settings.lens_min_groups,
                            settings.lens_silent_days)
        if args.output is None:
            await exporter.write(args.format, scope, now, _writer(sys.stdout))
        else:
            with args.output.open("w", encoding="utf-8", newline="") as file:
                await exporter.write(args.format, scope, now, _writer(file))
    return 0


def _writer(target: TextIO) -> Callable[[str], Awaitable[None]]:
    async def write(text: str) -> None:
        target.write(text)
    return write


async def print_audit(settings: Settings, plan: WorkPlan, args: argparse.Namespace,
                      open_storage: StorageOpener) -> int:
    """Every tag, untag, hide, erasure and work-plan edit: when, who, what, where."""
    tr = Translator(settings.locale)
    now = SystemClock().now()
    zone = display_zone(settings, plan)
    since = parse_moment(args.since, now, zone, tr) if args.since else None
    async with open_storage(settings) as storage:
        entries = await storage.digests.audit_log(max(1, args.limit), since)
    for entry in entries:
        where = "/".join(part for part in (entry.platform, entry.conversation_id,
                                           entry.message_id) if part)
        print(f"{entry.at.astimezone(zone):%Y-%m-%d %H:%M:%S %Z}\t{entry.actor_id}\t"
              f"{entry.action}\t{where}\t{_one_line(entry.detail)}")
    if not entries:
        print("the audit log is empty", file=sys.stderr)
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())
