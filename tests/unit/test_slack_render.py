"""Neutral text → Slack mrkdwn and Block Kit: escaping, headers, limits."""

from __future__ import annotations

import pytest

from bot.adapters.slack.chat import reaction_name
from bot.adapters.slack.render import (
    MAX_BLOCKS,
    MAX_SECTION,
    escape,
    mrkdwn_line,
    render,
    sections,
    to_mrkdwn,
)
from bot.text import bold, link, plain


@pytest.mark.parametrize(("neutral", "mrkdwn"), [
    ("plain words", "plain words"),
    ("**Tagged** to `#wp3`", "*Tagged* to `#wp3`"),
    ("- one item", "• one item"),
    (link("source", "https://x.slack.com/a?b=1&c=2"), "<https://x.slack.com/a?b=1&amp;c=2|source>"),
    (link("a|b", "https://e.org/x|y"), "<https://e.org/x%7Cy|a¦b>"),
    (plain("<!channel> & <@U123> *not bold* [x](y)"),
     "&lt;!channel&gt; &amp; &lt;@U123&gt; *not bold* [x](y)"),
    (bold(plain("Q&A <session>")), "*Q&amp;A &lt;session&gt;*"),
])
def test_mrkdwn_lines(neutral: str, mrkdwn: str) -> None:
    assert mrkdwn_line(neutral) == mrkdwn


@pytest.mark.parametrize("attack", ["<!channel>", "<!here>", "<!everyone>", "<@U0BOB0001>",
                                    "<!subteam^S01|@staff>", "<https://evil.example|ok>",
                                    "&lt;!channel&gt;"])
def test_user_text_never_becomes_live_markup(attack: str) -> None:
    rendered = render(f"**Digest**\n{plain(attack)}\n\n**3. Resources**\n- “{plain(attack)}”")
    assert rendered is not None and rendered.blocks is not None
    everything = rendered.text + "".join(str(b) for b in rendered.blocks)
    assert attack not in everything
    assert "<" not in everything.replace("<https://", "")


def test_escape_touches_only_the_three_control_characters() -> None:
    assert escape("a & b < c > d \" ' é") == "a &amp; b &lt; c &gt; d \" ' é"


def test_a_one_paragraph_answer_is_plain_text() -> None:
    rendered = render("Tagged to **3. Resources**.")
    assert rendered is not None and rendered.blocks is None
    assert rendered.text == "Tagged to *3. Resources*."


def test_each_paragraph_starting_in_bold_gets_a_header() -> None:
    neutral = ("**Digest — plan**\n3 inputs.\n\n**3. Efficient use of resources**\n"
               "Responsible: X\n- alice: “idea”\n\n**5. Representation** — 1 input\n- bob")
    rendered = render(neutral)
    assert rendered is not None and rendered.blocks is not None
    kinds = [(b["type"], b["text"]["text"]) for b in rendered.blocks]
    assert kinds == [
        ("header", "Digest — plan"), ("section", "3 inputs."),
        ("header", "3. Efficient use of resources"),
        ("section", "Responsible: X\n• alice: “idea”"),
        ("header", "5. Representation"), ("section", "1 input\n• bob"),
    ]


def test_a_long_header_is_cut_to_slacks_limit() -> None:
    rendered = render(f"**{'x' * 200}**\nbody\n\nmore")
    assert rendered is not None and rendered.blocks is not None
    assert len(rendered.blocks[0]["text"]["text"]) == 150


def test_sections_are_cut_between_lines_within_the_limit() -> None:
    lines = [f"line {n} " + "w" * 90 for n in range(80)]
    blocks = sections(lines)
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= MAX_SECTION for b in blocks)
    assert "\n".join(b["text"]["text"] for b in blocks) == "\n".join(lines)


def test_an_answer_beyond_the_block_limits_is_left_for_a_file() -> None:
    many = "\n\n".join(f"**{n}. Issue**\n- entry" for n in range(MAX_BLOCKS))
    assert render(many) is None
    assert render("word " * 1000) is None  # one paragraph over a section's 3,000 characters


def test_to_mrkdwn_keeps_line_breaks() -> None:
    assert to_mrkdwn("**a**\n- b\n\nc") == "*a*\n• b\n\nc"


@pytest.mark.parametrize(("reaction", "name"), [
    ("✅", "white_check_mark"), ("3️⃣", "three"), ("3⃣", "three"), (":eyes:", "eyes"),
    ("tada", "tada")])
def test_reactions_are_named_as_slack_expects(reaction: str, name: str) -> None:
    assert reaction_name(reaction) == name
