"""Where a post goes, as the plan and settings write it: `slack:C123`, `matrix:!room:server` or
`console`, and the per-target maps (`slack:C1=Europe/Paris,…`) that settings validate."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import locales
from bot.messages import Conversation

PLATFORMS = ("slack", "matrix", "console")
CONSOLE = Conversation("console", "console", name="console")


def parse_target(text: str) -> Conversation:
    """A conversation from `platform:id`; ValueError names what is wrong."""
    text = text.strip()
    if text == "console":
        return CONSOLE
    platform, _, conversation_id = text.partition(":")
    if platform not in PLATFORMS or not conversation_id:
        raise ValueError(f"{text!r} is not a target like slack:C123, matrix:!room:server or "
                         "console")
    return Conversation(platform, conversation_id)


def target_of(where: Conversation) -> str:
    return "console" if where.platform == "console" else f"{where.platform}:{where.id}"


def parse_channel_map(text: str, what: str) -> dict[str, str]:
    """`slack:C1=Europe/Paris,matrix:!r:s=America/Toronto` (or `…=fr`); ValueError if bad."""
    mapping: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        target, sep, value = entry.rpartition("=")
        if not sep or not target:
            raise ValueError(f"{entry!r} is not like target={what}")
        parse_target(target)
        value = value.strip()
        if what == "timezone":
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown timezone {value!r} for {target}") from None
        elif value not in locales():
            raise ValueError(f"locale {value!r} for {target} is not one of {', '.join(locales())}")
        mapping[target.strip()] = value
    return mapping
