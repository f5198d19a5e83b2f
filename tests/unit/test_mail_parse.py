"""Reading a post: encodings, charsets, HTML-only bodies, missing ids and broken dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.mail.parse import Malformed, parse_post
from tests.support.mail_archives import pipermail_post, post, raw_post

IMPORTED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def parse(raw: bytes):  # type: ignore[no-untyped-def]
    return parse_post(raw, fallback_at=lambda: IMPORTED_AT)


def test_headers_threading_and_list_id() -> None:
    found = parse(post("b@example.org", in_reply_to="a@example.org",
                       references="<root@example.org> <a@example.org>"))
    assert found.message_id == "b@example.org"
    assert (found.sender_address, found.sender_name) == ("alice@example.org", "Alice Example")
    assert found.sent_at == datetime(2019, 10, 7, 14, tzinfo=UTC)
    assert found.in_reply_to == "a@example.org"
    assert found.references == ("root@example.org", "a@example.org")
    assert found.thread_id == "root@example.org"
    assert found.list_id == "emm.lists.example.org"


@pytest.mark.parametrize(("charset", "cte"), [("utf-8", "quoted-printable"),
                                              ("utf-8", "base64"),
                                              ("iso-8859-1", "quoted-printable"),
                                              ("iso-8859-1", "base64"),
                                              ("windows-1252", "8bit")])
def test_bodies_in_every_transfer_encoding_and_charset(charset: str, cte: str) -> None:
    found = parse(post("x@example.org", body="Déjà vu: les ressources à prévoir #wp3",
                       charset=charset, cte=cte, subject="Résumé des idées"))
    assert found.body.strip() == "Déjà vu: les ressources à prévoir #wp3"
    assert found.subject == "Résumé des idées"  # an encoded word in the header


def test_windows_1252_quotes_labelled_iso_8859_1_come_out_as_quotes() -> None:
    raw = raw_post("""
From: carl@example.org
Subject: =?iso-8859-1?q?Caf=E9?=
Message-ID: <c@example.org>
Content-Type: text/plain; charset=iso-8859-1
""", b"It\x92s \x93quoted\x94 \x96 caf\xe9")
    found = parse(raw)
    assert found.body == "It’s “quoted” – café"
    assert found.subject == "Café"


def test_a_charset_nobody_knows_still_gives_the_text() -> None:
    raw = raw_post("""
From: dora@example.org
Message-ID: <d@example.org>
Content-Type: text/plain; charset=x-unknown
""", "naïve".encode())
    assert parse(raw).body == "naïve"


def test_html_only_posts_become_text_with_quotes_marked() -> None:
    found = parse(post("h@example.org", html="<p>We should <b>pool</b> travel #wp3</p>"
                       "<blockquote><p>Earlier words #wp5</p></blockquote>"
                       "<p>See <a href='https://example.org/plan'>the plan</a></p>"))
    assert found.html_only
    assert found.body == ("We should pool travel #wp3\n\n> Earlier words #wp5\n\n"
                          "See the plan (https://example.org/plan)")


def test_multipart_alternative_prefers_the_plain_part() -> None:
    from email.message import EmailMessage
    message = EmailMessage()
    message["From"] = "eve@example.org"
    message["Message-ID"] = "<e@example.org>"
    message.set_content("plain words")
    message.add_alternative("<p>html words</p>", subtype="html")
    found = parse(message.as_bytes())
    assert (found.body.strip(), found.html_only) == ("plain words", False)


def test_a_post_without_message_id_gets_a_stable_content_hash() -> None:
    one = parse(post(None, body="No id here"))
    again = parse(post(None, body="No id here"))
    other = parse(post(None, body="Another text"))
    assert one.message_id == again.message_id != other.message_id
    assert one.message_id.endswith("@content-hash.plenary.invalid")


@pytest.mark.parametrize("date", [None, "yesterday-ish", "Mon, 07 Oct 1899 10:00:00 +0000",
                                  "Mon, 32 Foo 2019 25:61:00 +9999"])
def test_a_broken_or_missing_date_takes_the_fallback(date: str | None) -> None:
    assert parse(post("z@example.org", date=date)).sent_at == IMPORTED_AT


def test_pipermail_obfuscated_senders_are_undone() -> None:
    found = parse(pipermail_post("p@example.org"))
    assert (found.sender_address, found.sender_name) == ("bob@example.org", "Bob Builder")


def test_a_post_without_sender_is_malformed() -> None:
    with pytest.raises(Malformed, match="From"):
        parse(raw_post("Subject: nobody\nMessage-ID: <n@example.org>", b"text"))
    with pytest.raises(Malformed):
        parse(b"")


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1252"])
def test_raw_8bit_headers_are_read_not_lost(encoding: str) -> None:
    raw = ("From: José Núñez <jose@example.org>\nSubject: Résumé\nMessage-ID: <r@x>\n\n"
           "body").encode(encoding)
    found = parse(raw)
    assert (found.sender_name, found.subject) == ("José Núñez", "Résumé")


def test_overlong_ids_and_names_fit_the_keys() -> None:
    long_id = "x" * 300 + "@example.org"
    found = parse(raw_post(f"""
From: {'N' * 300} <n@example.org>
Message-ID: <{long_id}>
In-Reply-To: <{long_id}>
References: <{long_id}>
""", b"text"))
    assert found.message_id == found.in_reply_to == found.references[0]
    assert found.message_id.startswith("sha256-") and len(found.message_id) <= 255
    assert found.sender_name is not None and len(found.sender_name) == 255
    with pytest.raises(Malformed, match="longer than 255"):
        parse(raw_post(f"From: {'a' * 300}@example.org", b"text"))
