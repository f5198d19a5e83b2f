"""Commands as typed: the name, in any script or with a full-width mark, and the words."""

from __future__ import annotations

import pytest

from bot.commands import parse_args, split_command


@pytest.mark.parametrize(("text", "expected"), [
    ("!digest #3 since 7d", ("digest", "#3 since 7d")),
    ("!Forget-Me", ("forget-me", "")),
    ("!help", ("help", "")),
    ("!!! wow", None),
    ("! help", None),
    ("hello !help", None),
    ("", None),
])
def test_split_command(text: str, expected: tuple[str, str] | None) -> None:
    assert split_command(text, "!") == expected


def test_quoted_words_stay_together_and_unbalanced_quotes_do_not_fail() -> None:
    assert parse_args('add "ICANN66 session" lead 7d').words == (
        "add", "ICANN66 session", "lead", "7d")
    assert parse_args('say "hello').words == ("say", '"hello')


@pytest.mark.parametrize(("text", "expected"), [
    ("！摘要 #3", ("摘要", "#3")),  # a Chinese keyboard's full-width mark
    ("!сводка", ("сводка", "")),
    ("!ملخص #5", ("ملخص", "#5")),
])
def test_command_words_in_every_script(text: str, expected: tuple[str, str]) -> None:
    assert split_command(text, "!") == expected


def test_a_mention_is_the_member_s_id_whatever_name_it_shows() -> None:
    # Slack shows `<@U0123>` as `@Alice Martin`; a Matrix pill shows the display name alone.
    slack = parse_args("@Alice Martin GNSO", [("@Alice Martin", "U0123")])
    assert slack.words == ("@U0123", "GNSO") and slack.raw == "@Alice Martin GNSO"
    matrix = parse_args("author Bob Smith since 7d", [("Bob Smith", "@bob:example.org")])
    assert matrix.words == ("author", "@bob:example.org", "since", "7d")
    # Only whole words: a name inside another word, or not marked as a mention, stays.
    assert parse_args("Bob Smithson", [("Bob Smith", "@bob:x")]).words == ("Bob", "Smithson")
    assert parse_args("@Alice GNSO").words == ("@Alice", "GNSO")
