"""Gettext catalogues, handled with Babel: the template made from the English source, and one
`.po` file per language, read at start.

The English sentences live in code (`bot.locales`), keyed by a message id such as
`digest.title`; a family `x.one` / `x.other` is one plural message `x`. The template
(`bot/locales/po/plenary.pot`) gives each message its id as the gettext context and its English
as the msgid, so a translator sees the English and any gettext tool (Poedit, Weblate) works on
the files. A language is a `.po` file in that folder and nothing else: its header's
`Plural-Forms` (CLDR's, as Babel writes it) chooses among its plural forms.
"""

from __future__ import annotations

import gettext
import io
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.locales import ENGLISH

PO_DIR = Path(__file__).resolve().parent / "locales" / "po"
TEMPLATE = PO_DIR / "plenary.pot"
SOURCE_LOCALE = "en"
_PLURAL_SUFFIXES = (".one", ".other")
CATALOG_HEADER: dict[str, Any] = {
    "project": "plenary", "version": "0.1", "domain": "plenary", "charset": "utf-8",
    "copyright_holder": "plenary contributors", "fuzzy": False,
    "msgid_bugs_address": "the plenary issue tracker"}


@dataclass(frozen=True, slots=True)
class Messages:
    """One language's sentences: plain ones by id, plural ones as their forms in the order
    of the language's `Plural-Forms`, and the function that picks a form for a number."""

    locale: str
    plain: Mapping[str, str]
    plural: Mapping[str, tuple[str, ...]]
    form_index: Callable[[int], int]

    def text(self, key: str) -> str | None:
        return self.plain.get(key) or None

    def plural_text(self, key: str, count: int) -> str | None:
        forms = self.plural.get(key)
        if not forms:
            return None
        index = self.form_index(count)
        return forms[index] if 0 <= index < len(forms) and forms[index] else None


def english() -> Messages:
    plain = {k: v for k, v in ENGLISH.items() if not k.endswith(_PLURAL_SUFFIXES)}
    plural = {family: (ENGLISH[f"{family}.one"], ENGLISH[f"{family}.other"])
              for family in plural_families(ENGLISH)}
    return Messages(SOURCE_LOCALE, plain, plural, lambda n: 0 if n == 1 else 1)


def plural_families(source: Mapping[str, str]) -> list[str]:
    return sorted({key.rsplit(".", 1)[0] for key in source if key.endswith(_PLURAL_SUFFIXES)})


def template() -> Catalog:
    """The `.pot`: every English message, its id as context."""
    catalog = Catalog(**CATALOG_HEADER)
    for family in plural_families(ENGLISH):
        one, other = ENGLISH[f"{family}.one"], ENGLISH[f"{family}.other"]
        number = "count" if "{count}" in one + other else family.rsplit(".", 1)[1]
        catalog.add((one, other), context=family,
                    auto_comments=[f"a plural: the number is {{{number}}}", *_kept(one + other)])
    for key, text in ENGLISH.items():
        if not key.endswith(_PLURAL_SUFFIXES):
            catalog.add(text, context=key, auto_comments=_notes(key, text))
    return catalog


def _notes(key: str, text: str) -> list[str]:
    if key.startswith("command."):
        return ["the word members type after the prefix (!ayuda): one word, no spaces; the "
                "English word works too"]
    return _kept(text)


def _kept(text: str) -> list[str]:
    """A note for translators: the placeholders to keep as they are."""
    fields = sorted(placeholders(text))
    return ["keep as is: " + ", ".join("{" + f + "}" for f in fields)] if fields else []


def po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False)
    return buffer.getvalue()


def without_dates(po: str) -> str:
    """A `.po` or `.pot` text without its creation and revision dates, for comparing."""
    return re.sub(r'^"(POT-Creation|PO-Revision)-Date: .*"\n', "", po, flags=re.MULTILINE)


def read_language(path: Path) -> Messages:
    locale = path.stem
    with path.open("rb") as file:
        catalog = read_po(file, locale=locale, domain="plenary")
    plain: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.context or message.fuzzy:
            continue
        if isinstance(message.string, tuple | list):
            plural[message.context] = tuple(message.string)
        elif message.string:
            plain[message.context] = message.string
    return Messages(locale, plain, plural, gettext.c2py(catalog.plural_expr))


def shipped_languages(folder: Path = PO_DIR) -> dict[str, Path]:
    """Each `.po` in the catalogue folder, by its file name (`fr.po` → `fr`)."""
    return {path.stem: path for path in sorted(folder.glob("*.po"))}


def placeholders(text: str) -> set[str]:
    """The `{names}` a sentence is formatted with."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def load_all(folder: Path = PO_DIR) -> dict[str, Messages]:
    languages = {SOURCE_LOCALE: english()}
    for locale, path in shipped_languages(folder).items():
        languages[locale] = read_language(path)
    return languages


def main() -> None:
    """`python -m bot.catalogues`: write the template after changing English sentences."""
    TEMPLATE.write_bytes(po_bytes(template()))
    print(f"wrote {TEMPLATE} ({len(template())} messages)")


if __name__ == "__main__":
    main()
