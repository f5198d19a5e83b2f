"""A digest mail's Message-ID names its period, and nothing else is taken for one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from bot.mail.digest_ids import digest_message_id, digest_period_end

END = datetime(2019, 10, 7, 13, tzinfo=UTC)


def test_one_stable_id_per_period_read_back() -> None:
    toronto = END.astimezone(timezone(timedelta(hours=-4)))
    assert digest_message_id(END, "example.org") == digest_message_id(toronto, "example.org")
    assert digest_message_id(END, "example.org") == "<plenary-digest.20191007T1300Z@example.org>"
    assert digest_period_end("plenary-digest.20191007T1300Z@example.org") == END
    assert digest_message_id(END + timedelta(days=7), "example.org") != \
        digest_message_id(END, "example.org")


def test_other_ids_are_no_digest() -> None:
    assert digest_period_end("CAF00@mail.gmail.com") is None
    assert digest_period_end("plenary-digest.2019@example.org") is None
