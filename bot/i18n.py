"""One translation function for every user-facing sentence, with English and French catalogues."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TypeGuard

from bot.locales import CATALOGUES

log = logging.getLogger(__name__)

LOCALES = ("en", "fr")
# Placeholders that echo what the user typed; every catalogue puts them in a code span.
_QUOTED = frozenset({"word", "text", "id", "cron"})
_QUOTED_LIMIT = 100


def quoted(value: object) -> str:
    """User text made safe inside a code span: a backtick would end the span and let the rest
    be read as markup (a link); a code span shows escapes literally, so nothing else changes.
    Bounded, so that an error message never echoes a whole essay."""
    text = str(value).replace("`", "'")
    return text if len(text) <= _QUOTED_LIMIT else text[: _QUOTED_LIMIT - 1] + "…"


class Translator:
    def __init__(self, locale: str) -> None:
        if locale not in CATALOGUES:
            raise ValueError(f"no catalogue for locale {locale!r}")
        self.locale = locale
        self._catalogue: Mapping[str, str] = CATALOGUES[locale]

    def __call__(self, key: str, **values: object) -> str:
        for name in _QUOTED.intersection(values):
            values[name] = quoted(values[name])
        for name, value in values.items():
            if name != "count" and _is_number(value):
                # Another number in the sentence takes its own plural phrase
                # (`digest.overview.issues.one`: "1 issue"), never a fixed plural word.
                phrase = self._template(f"{key}.{name}.{plural_form(self.locale, value)}")
                if phrase is not None:
                    values[name] = phrase.format(**{name: value})
        count = values.get("count")
        if _is_number(count):
            key = f"{key}.{plural_form(self.locale, count)}"
        template = self._template(key)
        if template is None:
            log.error("no message %r in any catalogue", key)
            return key
        return template.format(**values)

    def _template(self, key: str) -> str | None:
        return self._catalogue.get(key) or CATALOGUES["en"].get(key)


def _is_number(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def plural_form(locale: str, count: int) -> str:
    """CLDR's two forms for our languages: French treats 0 and 1 as singular."""
    if locale == "fr":
        return "one" if count in (0, 1) else "other"
    return "one" if count == 1 else "other"
