"""What an operator sees of one replica: Prometheus metrics, readiness and `!status` facts.

One `Health` per running bot, built in `app` and handed to the adapters and the core (in
`Services`); its metrics live in a registry of its own, so that two bots in one process (the
replica tests) count apart.
"""

from __future__ import annotations

import os
import socket
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Slack wants its 200 within 3 s; the buckets are dense below that.
_ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
_RECENT_ERRORS = 10


@dataclass(frozen=True, slots=True)
class ErrorReference:
    ref: str  # what the user was told to quote
    at: datetime
    what: str  # `command digest`, `job staff-digest`


def replica_name() -> str:
    """This process among the replicas: host and pid, as an operator finds it in `ps`."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Health:
    def __init__(self, replica: str | None = None) -> None:
        self.replica = replica or replica_name()
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events_received = Counter(
            "plenary_events_received", "Events handed to the core", ["platform"], registry=r)
        self.events_stored = Counter(
            "plenary_events_stored", "Messages stored for the first time", ["platform"],
            registry=r)
        self.events_deduplicated = Counter(
            "plenary_events_deduplicated", "Deliveries of an event already stored or handled",
            ["platform"], registry=r)
        self.ack_seconds = Histogram(
            "plenary_ack_seconds", "From receiving a delivery (a Slack request, a Matrix sync "
            "batch) to acknowledging it, stored", ["platform"], buckets=_ACK_BUCKETS,
            registry=r)
        self.commands = Counter(
            "plenary_commands", "Commands run, by name and outcome", ["command", "outcome"],
            registry=r)
        self.reminders = Counter(
            "plenary_reminders", "Milestone reminders by outcome (sent, late, missed)",
            ["outcome"], registry=r)
        self.digest_seconds = Histogram(
            "plenary_digest_build_seconds", "Time to build a digest", registry=r)
        self.database_errors = Counter(
            "plenary_database_errors", "Database failures met while handling events",
            registry=r)
        self.leader = Gauge(
            "plenary_matrix_sync_leader", "1 while this replica runs the Matrix sync",
            registry=r)
        self.connected_gauge = Gauge(
            "plenary_adapter_connected", "1 while the platform adapter is connected",
            ["platform"], registry=r)
        self._connected: dict[str, bool] = {}
        self.leading = False
        self.recent_errors: deque[ErrorReference] = deque(maxlen=_RECENT_ERRORS)

    # Adapters ----------------------------------------------------------------------------

    def expect(self, platform: str) -> None:
        """`platform` runs here and is not connected yet (readiness waits for it)."""
        self._connected.setdefault(platform, False)
        self.connected_gauge.labels(platform).set(0)

    def set_connected(self, platform: str, connected: bool) -> None:
        self._connected[platform] = connected
        self.connected_gauge.labels(platform).set(1 if connected else 0)

    @property
    def connected(self) -> dict[str, bool]:
        return dict(self._connected)

    def all_connected(self) -> bool:
        return all(self._connected.values())

    def set_leading(self, leading: bool) -> None:
        self.leading = leading
        self.leader.set(1 if leading else 0)

    # The core ----------------------------------------------------------------------------

    def failed(self, ref: str, at: datetime, what: str) -> None:
        self.recent_errors.appendleft(ErrorReference(ref, at, what))
