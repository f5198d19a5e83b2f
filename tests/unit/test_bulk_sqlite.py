"""Multi-row statements come in few shapes, so the driver's statement cache stays small."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.messages import Conversation, IncomingMessage
from bot.storage import SaveOutcome, Storage
from bot.storage.bulk_sqlite import statement_sizes
from bot.tags import TagSet


def test_every_count_is_split_into_powers_of_two_below_the_limit() -> None:
    shapes: set[int] = set()
    for count in range(0, 5000):
        sizes = statement_sizes(count, 2978)
        assert sum(sizes) == count and sizes == sorted(sizes, reverse=True)
        shapes.update(sizes)
    assert shapes == {2978, *(1 << bit for bit in range(12))}  # 13 shapes in all
    assert statement_sizes(1000, 2978) == [512, 256, 128, 64, 32, 8]


async def test_a_burst_split_over_several_statements_is_all_written(storage: Storage
                                                                    ) -> None:
    at = datetime(2019, 10, 1, tzinfo=UTC)
    room = Conversation("test", "room")
    # 77 rows: statements of 64, 8, 4 and 1
    burst = [(IncomingMessage(room, f"m{n}", "u", "#wp3", at), TagSet((3,))) for n in range(77)]
    assert await storage.save_messages(burst, at) == [SaveOutcome.NEW] * 77
    assert len(await storage.messages_for(3)) == 77
