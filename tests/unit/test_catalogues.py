"""The gettext catalogues: the template matches the English in the code, every shipped language
translates every message with the same placeholders, and a new language is one `.po` file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot import catalogues
from bot.commands import split_command
from bot.hashtags import fold
from bot.i18n import Translator, locales


def test_the_shipped_template_is_what_the_english_in_the_code_makes() -> None:
    shipped = catalogues.TEMPLATE.read_text(encoding="utf-8")
    fresh = catalogues.po_bytes(catalogues.template()).decode("utf-8")
    assert catalogues.without_dates(shipped) == catalogues.without_dates(fresh), (
        "English sentences changed: run `python -m bot.catalogues` and update each .po")


def _number(context: str, english: str) -> str:
    return "count" if "{count}" in english else context.rsplit(".", 1)[1]


@pytest.mark.parametrize("language", sorted(catalogues.shipped_languages()))
def test_every_language_translates_every_message_keeping_its_placeholders(
        language: str) -> None:
    with catalogues.shipped_languages()[language].open("rb") as file:
        translated = read_po(file, locale=language)
    template = catalogues.template()
    expected = {m.context for m in template if m.id}
    assert {m.context for m in translated if m.id} == expected  # nothing missing or extra
    for source in template:
        if not source.id:
            continue
        message = translated.get(source.id, context=source.context)
        assert message is not None and not message.fuzzy, source.context
        if isinstance(source.id, tuple):
            forms = message.string
            assert isinstance(forms, tuple) and len(forms) == translated.num_plurals
            number = _number(str(source.context), source.id[1])
            one, other = (catalogues.placeholders(text) - {number} for text in source.id)
            for form in forms:
                assert form.strip(), source.context
                # A form may spell its number out ("une"), or leave out what the English
                # singular leaves out ("1 input" names no issue count); nothing else differs.
                assert one & other <= catalogues.placeholders(form) - {number} <= one | other, \
                    source.context
        else:
            assert isinstance(message.string, str) and message.string.strip(), source.context
            assert catalogues.placeholders(message.string) == \
                catalogues.placeholders(str(source.id)), source.context


def _language_file(folder: Path, locale: str, forms: tuple[str, ...]) -> None:
    """What a translator writes: every message of the template, in a new language."""
    catalog = Catalog(locale=locale, **catalogues.CATALOG_HEADER)
    for source in catalogues.template():
        if not source.id:
            continue
        string = forms[:catalog.num_plurals] if isinstance(source.id, tuple) else \
            f"[{locale}] {source.id}"
        catalog.add(source.id, string=string, context=source.context)
    (folder / f"{locale}.po").write_bytes(catalogues.po_bytes(catalog))


def test_a_language_is_one_po_file_with_cldr_plural_forms(tmp_path: Path) -> None:
    shutil.copytree(catalogues.PO_DIR, tmp_path, dirs_exist_ok=True)
    _language_file(tmp_path, "ru", ("{count} one", "{count} few", "{count} many"))
    _language_file(tmp_path, "ar", tuple(f"{{count}} {form}" for form in
                                         ("zero", "one", "two", "few", "many", "other")))
    languages = catalogues.load_all(tmp_path)
    assert {"en", "fr", "ru", "ar"} <= set(languages)
    assert languages["ru"].text("digest.title") == "[ru] Digest — {title}"
    russian = [languages["ru"].plural_text("workplan.inputs", n) for n in (1, 2, 5, 11, 21, 101)]
    assert russian == ["{count} one", "{count} few", "{count} many", "{count} many",
                       "{count} one", "{count} one"]
    arabic = [languages["ar"].plural_text("workplan.inputs", n)
              for n in (0, 1, 2, 5, 11, 21, 101)]
    assert arabic == ["{count} zero", "{count} one", "{count} two", "{count} few",
                      "{count} many", "{count} many", "{count} other"]


def test_the_shipped_languages_are_the_po_files_and_english() -> None:
    assert locales() == tuple(sorted({"en", *catalogues.shipped_languages()}))
    million = Translator("fr")("workplan.inputs", count=1_000_000)
    assert million == "1\u202f000\u202f000 contributions"
    with pytest.raises(ValueError, match="no catalogue"):
        Translator("xx")


def test_every_language_s_command_words_are_single_and_never_shared() -> None:
    names = [key.split(".", 1)[1] for key in catalogues.ENGLISH if key.startswith("command.")]
    owner: dict[str, str] = {}
    for locale in locales():
        tr = Translator(locale)
        for name in names:
            word = fold(tr(f"command.{name}"))
            assert split_command(f"!{word}", "!") == (word.lower(), ""), (locale, word)
            assert owner.setdefault(word, name) == name, (locale, word, owner[word], name)
