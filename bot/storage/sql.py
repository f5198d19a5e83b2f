"""Small SQL building blocks shared by the repository's reads and writes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from bot.messages import MessageRef


def insert_ignoring_duplicates(dialect: str, table: Table) -> Insert:
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_nothing()


def upsert(dialect: str, table: Table, key: Sequence[str], values: dict[str, Any]) -> Insert:
    """Insert `values`, or overwrite the row with the same `key` with them."""
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.values(**values).on_conflict_do_update(
        index_elements=list(key), set_={k: v for k, v in values.items() if k not in key})


def insert_or_add_sources(dialect: str, table: Table, key: Sequence[str]) -> Insert:
    """An upsert that ORs the new row's `sources` bits into an existing row's."""
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_update(
        index_elements=list(key),
        set_={"sources": table.c.sources.op("|")(insert.excluded.sources)},
    )


def is_member(table: Table, platform: str, user_id: str, column: str = "user_id"
              ) -> ColumnElement[bool]:
    """`table`'s row is about this member: its `platform`, and the id in `column`."""
    return and_(table.c.platform == platform, table.c[column] == user_id)


def is_message(table: Table, ref: MessageRef) -> ColumnElement[bool]:
    return and_(
        table.c.platform == ref.platform,
        table.c.conversation_id == ref.conversation_id,
        table.c.message_id == ref.message_id,
    )


def same_message(table: Table, other: Table) -> ColumnElement[bool]:
    """`table`'s row is about the message `other`'s row is about (a join or a sub-query)."""
    return and_(
        table.c.platform == other.c.platform,
        table.c.conversation_id == other.c.conversation_id,
        table.c.message_id == other.c.message_id,
    )


def message_key_in(table: Table, refs: Sequence[MessageRef]) -> ColumnElement[bool]:
    return tuple_(table.c.platform, table.c.conversation_id, table.c.message_id).in_(
        [(ref.platform, ref.conversation_id, ref.message_id) for ref in refs]
    )


def key_columns(ref: MessageRef) -> dict[str, Any]:
    return {"platform": ref.platform, "conversation_id": ref.conversation_id,
            "message_id": ref.message_id}


def joined_kinds(kinds: Iterable[str]) -> str | None:
    """`messages.kinds`: the keys once each, in code-point order (SQLite's own order of the
    `message_kinds` key), joined by spaces; None for none."""
    return " ".join(sorted(set(kinds))) or None


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(text: str) -> str:
    """The same text on every backend: PostgreSQL refuses NUL and lone surrogates, SQLite
    keeps them, so both get U+FFFD instead (a message must not store in dev and fail in prod)."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if text.isascii():  # no surrogate possible; CPython knows this without a scan
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATE.sub("\ufffd", text)
    return text
