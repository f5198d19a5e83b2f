"""One translation function for every user-facing sentence, over the gettext catalogues."""

from __future__ import annotations

import logging
from functools import cache
from typing import TypeGuard

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

from bot.catalogues import SOURCE_LOCALE, Messages, load_all

log = logging.getLogger(__name__)

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
        languages = _languages()
        if locale not in languages:
            raise ValueError(f"no catalogue for locale {locale!r}")
        self.locale = locale
        self._messages = languages[locale]
        self._english = languages[SOURCE_LOCALE]

    def __call__(self, key: str, **values: object) -> str:
        for name in _QUOTED.intersection(values):
            values[name] = quoted(values[name])
        for name, value in values.items():
            if name != "count" and _is_number(value):
                # Another number in the sentence takes its own plural phrase
                # (`digest.overview.issues`: "1 issue"), never a fixed plural word.
                phrase = self._plural(f"{key}.{name}", value)
                if phrase is not None:
                    values[name] = phrase.format(**{name: self._number(value)})
        count = values.get("count")
        template = (self._plural(key, count) if _is_number(count) else None) \
            or self._messages.text(key) or self._english.text(key)
        if template is None:
            log.error("no message %r in any catalogue", key)
            return key
        shown = {name: self._number(value) if _is_number(value) else value
                 for name, value in values.items()}
        return template.format(**shown)

    def _number(self, value: int) -> str:
        """As the locale writes it: 1,234 / 1 234 / 1.234."""
        return format_decimal(value, locale=self.locale)

    def _plural(self, key: str, count: int) -> str | None:
        return self._messages.plural_text(key, count) or self._english.plural_text(key, count)


def _is_number(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@cache
def _languages() -> dict[str, Messages]:
    """Read once: the English source and every shipped `.po`."""
    return load_all()


def locales() -> tuple[str, ...]:
    """The languages plenary speaks: English and one per shipped `.po` file."""
    return tuple(sorted(_languages()))


def is_language(code: str) -> bool:
    """A locale identifier CLDR knows (`es`, `zh_Hans`), whether or not plenary ships it yet:
    a plan may carry titles for a language before its catalogue exists."""
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return False
    return True
