"""Neutral text to Matrix notices: escaped HTML, safe links, no pings, threads and replies."""

from __future__ import annotations

import pytest

from bot.adapters.matrix.render import notice_content, permalink, relates_to, to_html
from bot.text import plain


@pytest.mark.parametrize(("neutral", "html"), [
    ("**Digest** for `#wp3`", "<strong>Digest</strong> for <code>#wp3</code>"),
    ("[source](https://matrix.to/#/!r:x/$e)", '<a href="https://matrix.to/#/!r:x/$e">source</a>'),
    ("[click](javascript:alert%281%29)", "click"),  # only http(s) and mailto become links
    ("- one\n- two\nafter", "<ul><li>one</li><li>two</li></ul>after"),
    ("line one\nline two", "line one<br>line two"),
    (plain("<b>@room</b> & <img src=x>"), "&lt;b&gt;@room&lt;/b&gt; &amp; &lt;img src=x&gt;"),
    (plain("**not bold** [not](https://a.link)"), "**not bold** [not](https://a.link)"),
])
def test_html_is_built_from_escaped_text(neutral: str, html: str) -> None:
    assert to_html(neutral) == html


def test_a_notice_pings_nobody_and_carries_both_bodies() -> None:
    content = notice_content("**Tagged** to " + plain("@room <b>x</b>"), reply_to="$cmd")
    assert content["msgtype"] == "m.notice"
    assert content["m.mentions"] == {}
    assert content["body"] == "**Tagged** to @room <b>x</b>"
    assert content["formatted_body"] == "<strong>Tagged</strong> to @room &lt;b&gt;x&lt;/b&gt;"
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}


def test_a_reply_in_a_thread_stays_in_the_thread() -> None:
    assert relates_to(reply_to="$cmd", thread_id="$root") == {
        "rel_type": "m.thread", "event_id": "$root", "m.in_reply_to": {"event_id": "$cmd"}}
    assert relates_to(reply_to=None, thread_id="$root") == {
        "rel_type": "m.thread", "event_id": "$root", "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$root"}}
    assert relates_to(reply_to=None, thread_id=None) == {}
    assert "m.relates_to" not in notice_content("hello")


def test_permalinks_point_at_matrix_to() -> None:
    assert permalink("!abc:example.org", "$ev/1+2") == \
        "https://matrix.to/#/!abc:example.org/$ev%2F1%2B2"
