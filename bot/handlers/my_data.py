"""`my-data`: a member's own copy of everything plenary stores about them, as a file sent
privately (JSON by default, `my-data csv` for their messages as a spreadsheet)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from bot.commands import Args
from bot.digests.csv_export import UTF8_BOM
from bot.digests.escaping import csv_cell, csv_line
from bot.errors import UsageError
from bot.hashtags import fold
from bot.messages import Attachment, IncomingMessage, Reply
from bot.services import Services
from bot.storage.member_data import MemberData

FORMAT = "plenary.my-data/1"  # documented in docs/my-data.md
CSV_COLUMNS = ("conversation_id", "conversation_name", "message_id", "posted_at", "edited_at",
               "issues", "kinds", "hidden_from_digests", "permalink", "text")


async def send_my_data(msg: IncomingMessage, args: Args, svc: Services) -> Reply:
    wanted = fold(args.words[0]) if args.words else "json"
    if len(args.words) > 1 or wanted not in ("json", "csv"):
        raise UsageError(svc.tr("my_data.format", word=" ".join(args.words)))
    now = svc.clock.now()
    data = await svc.storage.member_data(msg.where.platform, msg.sender_id)
    stamp = f"{now:%Y%m%d-%H%M}"
    if wanted == "csv":
        attachment = Attachment(f"plenary-my-data-{stamp}.csv",
                                to_csv(data).encode("utf-8"), "text/csv")
    else:
        attachment = Attachment(f"plenary-my-data-{stamp}.json",
                                to_json(data, now).encode("utf-8"), "application/json")
    return Reply(svc.tr("my_data.caption", count=len(data.messages),
                        forget=f"{svc.settings.command_prefix}{svc.tr('command.forget-me')}"),
                 private=True, attachment=attachment)


def to_json(data: MemberData, now: datetime) -> str:
    """UTF-8 as is (`ensure_ascii=False`): each message's text exactly as it was stored."""
    document: dict[str, Any] = {"format": FORMAT, "exported_at": now, **asdict(data)}
    return json.dumps(document, ensure_ascii=False, indent=2, default=_instant) + "\n"


def to_csv(data: MemberData) -> str:
    """Messages only, one a row (the JSON has everything); a byte-order mark so that
    spreadsheets read UTF-8, and text cells guarded against formulas (a `'` in front)."""
    rows = [UTF8_BOM + csv_line(CSV_COLUMNS)]
    for message in data.messages:
        cells = (message.conversation_id, message.conversation_name or "", message.message_id,
                 _instant(message.posted_at),
                 _instant(message.edited_at) if message.edited_at else "",
                 " ".join(map(str, message.issues)), " ".join(message.kinds),
                 "yes" if message.hidden_from_digests else "", message.permalink or "",
                 message.text)
        rows.append('"' + '","'.join(csv_cell(cell) for cell in cells) + '"\r\n')
    return "".join(rows)


def _instant(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
