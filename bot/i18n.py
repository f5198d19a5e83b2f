"""One translation function for every user-facing sentence, with English and French catalogues."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.locales import CATALOGUES

log = logging.getLogger(__name__)

LOCALES = ("en", "fr")


class Translator:
    def __init__(self, locale: str) -> None:
        if locale not in CATALOGUES:
            raise ValueError(f"no catalogue for locale {locale!r}")
        self.locale = locale
        self._catalogue: Mapping[str, str] = CATALOGUES[locale]

    def __call__(self, key: str, **values: object) -> str:
        count = values.get("count")
        if isinstance(count, int):
            key = f"{key}.{plural_form(self.locale, count)}"
        template = self._catalogue.get(key) or CATALOGUES["en"].get(key)
        if template is None:
            log.error("no message %r in any catalogue", key)
            return key
        return template.format(**values)


def plural_form(locale: str, count: int) -> str:
    """CLDR's two forms for our languages: French treats 0 and 1 as singular."""
    if locale == "fr":
        return "one" if count in (0, 1) else "other"
    return "one" if count == 1 else "other"
