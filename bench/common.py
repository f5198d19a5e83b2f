"""Shared pieces of the benchmarks: a chat that discards, peak memory, timing, a report line."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.messages import Attachment, Conversation


class NullChat:
    """Accepts everything and keeps nothing: the benchmark measures our side only."""

    async def send(self, where: Conversation, text: str, *, reply_to: str | None = None,
                   idempotency_key: str | None = None) -> str:
        return "sent"

    async def send_private(self, where: Conversation, user_id: str, text: str, *,
                           reply_to: str | None = None, answer_to: str | None = None
                           ) -> str | None:
        return "sent"

    async def send_file(self, where: Conversation, user_id: str, attachment: Attachment,
                        text: str, *, reply_to: str | None = None,
                        answer_to: str | None = None) -> str | None:
        return "sent"

    async def react(self, where: Conversation, message_id: str, reaction: str) -> None:
        return None

    async def permalink(self, where: Conversation, message_id: str) -> str | None:
        return None

    async def message_id_named(self, where: Conversation, word: str) -> str | None:
        return None


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb_of(pid: int | str = "self") -> float | None:
    """A process's peak resident memory (Linux's VmHWM), None where it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def own_peak_rss_mb() -> float:
    """This process's peak RSS. `ru_maxrss` survives fork and exec (a child would report its
    parent's peak); Linux's VmHWM belongs to the process image, so it is used when there."""
    peak = peak_mb_of()
    return peak_rss_mb() if peak is None else peak


def percentile(values: Sequence[float], p: float) -> float:
    """The `p`th percentile of `values` (seconds) in milliseconds; 0 for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0


@dataclass
class Timer:
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Timer]:
    timer = Timer()
    start = time.perf_counter()
    try:
        yield timer
    finally:
        timer.seconds = time.perf_counter() - start


def ratio(ours: float, raw: float) -> str:
    return f"{ours / raw:.2f}x" if raw else "n/a"
