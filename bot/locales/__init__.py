"""Message catalogues by locale; each feature keeps its sentences in a module of its own."""

from __future__ import annotations

from collections.abc import Mapping

from bot.locales import core

_MODULES = (core,)

CATALOGUES: Mapping[str, Mapping[str, str]] = {
    locale: {key: text for module in _MODULES for key, text in getattr(module, locale).items()}
    for locale in ("en", "fr")
}
