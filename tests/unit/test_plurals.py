"""Russian and Arabic plural forms for 1, 2, 5, 11, 21 and 101: the form each shipped `.po`
picks is the one CLDR's rule names (through Babel), for every plural sentence, and what plenary
says is that form of the catalogue's sentence."""

from __future__ import annotations

import gettext

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot import catalogues
from bot.i18n import Translator

NUMBERS = (1, 2, 5, 11, 21, 101)
# The order of a `.po`'s forms: CLDR's categories in Babel's gettext order.
FORMS = {"ru": ("one", "few", "many"), "ar": ("zero", "one", "two", "few", "many", "other")}
EXPECTED = {  # CLDR, by hand, so that a changed rule in Babel or the .po shows up
    "ru": ("one", "few", "many", "many", "one", "one"),
    "ar": ("one", "two", "few", "many", "many", "other"),
}


def catalog(locale: str) -> Catalog:
    with catalogues.shipped_languages()[locale].open("rb") as file:
        return read_po(file, locale=locale, domain="plenary")


@pytest.mark.parametrize("locale", ["ru", "ar"])
def test_the_po_picks_cldr_s_form_for_each_number(locale: str) -> None:
    rule = Locale.parse(locale).plural_form
    assert tuple(rule(n) for n in NUMBERS) == EXPECTED[locale]
    po = catalog(locale)
    assert po.num_plurals == len(FORMS[locale])
    pick = gettext.c2py(po.plural_expr)
    assert [FORMS[locale][pick(n)] for n in NUMBERS] == list(EXPECTED[locale])


@pytest.mark.parametrize("locale", ["ru", "ar"])
def test_every_plural_sentence_says_the_catalogue_s_form(locale: str) -> None:
    tr, po = Translator(locale), catalog(locale)
    plural = [m for m in po if m.id and isinstance(m.id, tuple)]
    assert len(plural) >= 10
    for message in plural:
        key, number = str(message.context), "count"
        if "{count}" not in message.id[1]:
            continue  # a number of a sentence's other part (`digest.overview.issues`)
        for n, category in zip(NUMBERS, EXPECTED[locale], strict=True):
            form = message.string[FORMS[locale].index(category)]
            values = {name: "x" for name in catalogues.placeholders(message.id[1]) - {number}}
            expected = form.format(count=format_decimal(n, locale=locale), **values)
            assert tr(key, count=n, **values) == expected, (key, n)


def test_some_forms_in_full() -> None:
    ru, ar = Translator("ru"), Translator("ar")
    forget = {"forget": "!x"}
    assert [ru("my_data.caption", count=n, **forget).split(":")[1].split(" с ")[0].strip()
            for n in NUMBERS] == ["1 сообщение", "2 сообщения", "5 сообщений", "11 сообщений",
                                  "21 сообщение", "101 сообщение"]
    assert [ar("my_data.caption", count=n, **forget).split(":")[1].split(" مع ")[0].strip()
            for n in NUMBERS] == ["رسالة واحدة", "رسالتان", "5 رسائل", "11 رسالة", "21 رسالة",
                                  "101 رسالة"]
