"""Digest text wrapped for mail readers: 72 columns, URLs whole, tables as they are."""

from __future__ import annotations

from bot.mail.wrap import wrap_for_mail

URL = "https://lists.example.org/hyperkitty/list/emm@lists.example.org/message/ABCDEFGHIJ/"


def test_paragraphs_and_items_wrap_at_72_and_urls_stay_whole() -> None:
    text = "- " + "word " * 20 + URL + " end\n" + "Plain " * 20
    lines = wrap_for_mail(text).split("\n")
    assert all(len(line) <= 72 for line in lines if URL not in line)
    assert any(line.strip() == URL for line in lines)
    assert lines[1].startswith("  ")  # an item's continuation is indented under its text
    assert " ".join(wrap_for_mail(text).split()) == " ".join(text.split())


def test_tables_headings_and_code_are_left_alone() -> None:
    table = "| issue | inputs | " + "x" * 80 + " |"
    code = "```\n" + "y" * 90 + "\n```"
    heading = "## " + "3. Efficient use of resources " * 4
    assert wrap_for_mail(table) == table
    assert wrap_for_mail(code) == code
    assert wrap_for_mail(heading) == heading
