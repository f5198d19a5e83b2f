"""Message catalogues by locale; each feature keeps its sentences in a module of its own."""

from __future__ import annotations

from collections.abc import Mapping

from bot.locales import core, digests, matrix, reminders, slack

_MODULES = (core, slack, digests, reminders, matrix)

CATALOGUES: Mapping[str, Mapping[str, str]] = {
    locale: {key: text for module in _MODULES for key, text in getattr(module, locale).items()}
    for locale in ("en", "fr")
}
