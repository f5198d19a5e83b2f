"""Each target's settings: the default targets, and a target's timezone and language
(`PLENARY_CHANNEL_TIMEZONES`, `PLENARY_CHANNEL_LOCALES`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.settings import Settings
from bot.targets import parse_channel_map


def default_targets(settings: Settings) -> tuple[str, ...]:
    """Every configured conversation; the console when no platform is configured."""
    targets = [f"slack:{c}" for c in settings.slack_channels]
    targets += [f"matrix:{r}" for r in settings.matrix_rooms]
    return tuple(targets) or ("console",)


def zone_for(settings: Settings, target: str, fallback: ZoneInfo) -> ZoneInfo:
    name = parse_channel_map(settings.channel_timezones, "timezone").get(target)
    return ZoneInfo(name) if name else fallback


def locale_for(settings: Settings, target: str) -> str:
    return parse_channel_map(settings.channel_locales, "locale").get(target, settings.locale)
