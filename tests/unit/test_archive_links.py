"""Links into the list archive from the PLENARY_LIST_ARCHIVE_URL template."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.archive_links import archive_link, check_template, hyperkitty_hash

AT = datetime(2019, 10, 7, tzinfo=UTC)


def test_message_id_hash_is_hyperkittys() -> None:
    # HyperKitty: base32(sha1(message id without brackets)), as its URLs show.
    assert hyperkitty_hash("<abc@example.org>") == hyperkitty_hash("abc@example.org")
    assert len(hyperkitty_hash("abc@example.org")) == 32


def test_templates() -> None:
    # A month's page is every post's: the id as a fragment keeps each link the post's own.
    assert archive_link("https://a.org/{list}/{month}/thread.html", "emm", "x@y", AT,
                        "2019-October") == "https://a.org/emm/2019-October/thread.html#x@y"
    assert archive_link("https://a.org/{list}/{month}/", "emm", "x@y", AT) == \
        "https://a.org/emm/2019-October/#x@y"
    assert archive_link("https://m.org/search?q={message_id}", "emm", "a b/c@y", AT) == \
        "https://m.org/search?q=a%20b%2Fc@y"
    assert archive_link(None, "emm", "x@y", AT) is None


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\{id\} is not a field"):
        check_template("https://a.org/{id}")
