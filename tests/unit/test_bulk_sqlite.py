"""Multi-row statements come in few shapes, so the driver's statement cache stays small; the
rows a shape pads with are repeats, which the conflict clauses leave as written once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from bot.messages import Conversation, IncomingMessage
from bot.storage import SaveOutcome, Storage
from bot.storage.bulk_sqlite import padded_size, sqlite_datetime
from bot.tags import TagSet, TagSource


def test_every_count_takes_one_of_a_dozen_shapes_and_never_fewer_rows() -> None:
    shapes: set[int] = set()
    for count in range(1, 5000):
        size = padded_size(min(count, 2978), 2978)
        assert min(count, 2978) <= size <= 2978
        shapes.add(size)
    assert shapes == {2978, *(1 << bit for bit in range(12))}  # 13 shapes in all
    assert [padded_size(n, 2978) for n in (1, 2, 3, 500, 512, 513, 2978)] == [
        1, 2, 4, 512, 512, 1024, 2978]


async def test_a_padded_burst_is_written_once_with_each_tag_and_kind_once(storage: Storage
                                                                          ) -> None:
    at = datetime(2019, 10, 1, tzinfo=UTC)
    room = Conversation("test", "room")
    # 77 messages: one statement of 128 rows, its last row repeated 51 times
    burst = [(IncomingMessage(room, f"m{n}", "u", "#wp3 #solution", at),
              TagSet((3,), ("solution",))) for n in range(77)]
    assert await storage.save_messages(burst, at) == [SaveOutcome.NEW] * 77
    stored = await storage.messages_for(3)
    assert len(stored) == 77
    async with storage.db.read() as conn:  # the last message, written 52 times over
        tags = (await conn.execute(text(
            "SELECT issue, sources FROM tags WHERE message_id = 'm76'"))).all()
        kinds = (await conn.execute(text(
            "SELECT kind, sources FROM message_kinds WHERE message_id = 'm76'"))).all()
    hashtag = int(TagSource.HASHTAG)
    assert [tuple(row) for row in tags] == [(3, hashtag)]
    assert [tuple(row) for row in kinds] == [("solution", hashtag)]
    assert await storage.save_messages(burst[-1:], at) == [SaveOutcome.REPEAT]
    assert len(await storage.messages_for(3)) == 77


def test_datetimes_are_written_as_sqlalchemy_writes_them_in_naive_utc() -> None:
    # Reads go through SQLAlchemy's DATETIME: the text written here must be the text it
    # writes itself, whatever the zone of the moment given.
    write = sqlite.DATETIME().bind_processor(sqlite.dialect())
    assert write is not None
    paris = timezone(timedelta(hours=2))
    for moment in (datetime(2019, 10, 1, 9, 30, tzinfo=UTC),
                   datetime(2019, 10, 1, 9, 30, 0, 250, tzinfo=UTC),
                   datetime(1, 1, 1, tzinfo=UTC),
                   datetime(2019, 10, 1, 11, 30, tzinfo=paris)):
        assert sqlite_datetime(moment) == write(moment.astimezone(UTC).replace(tzinfo=None))
    assert sqlite_datetime(datetime(2019, 10, 1, 11, 30, tzinfo=paris)) == \
        "2019-10-01 09:30:00.000000"
