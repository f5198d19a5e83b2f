"""What an event's log lines carry (platform, room, event id): a context set around handling."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

# A contextvar, not a logger adapter: a line logged deep inside storage or a platform library
# while an event is handled carries the event's fields without being handed them, and tasks
# started while handling inherit them (asyncio copies the context into each new task).
_FIELDS: ContextVar[Mapping[str, str]] = ContextVar("plenary_log_context",
                                                    default=MappingProxyType({}))


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Add `fields` to every line logged inside the block; a None value drops a field set by
    an outer block (a burst of several messages has no one message id)."""
    merged = {**_FIELDS.get(), **{k: v for k, v in fields.items() if v is not None}}
    for name in (k for k, v in fields.items() if v is None):
        merged.pop(name, None)
    token = _FIELDS.set(MappingProxyType(merged))
    try:
        yield
    finally:
        _FIELDS.reset(token)


def current_log_context() -> Mapping[str, str]:
    return _FIELDS.get()
