"""What the core may ask each platform for `status`: connected, who leads, last heard from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class PlatformStatus:
    platform: str
    connected: bool
    # The replica that receives this platform's events, when only one does (Matrix's sync
    # leader); None when every replica does (Slack deliveries) or nobody leads yet.
    leader: str | None = None
    last_received_at: datetime | None = None  # Matrix: the last sync batch stored


@runtime_checkable
class StatusReporter(Protocol):
    async def status(self) -> PlatformStatus: ...


def reporters(adapters: Iterable[object]) -> tuple[StatusReporter, ...]:
    return tuple(a for a in adapters if isinstance(a, StatusReporter))
