"""Past events of a room through `/messages`: the gap of a limited sync, or a staff backfill."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.adapters.matrix.http import MatrixHttp, segment

PAGE = 500


async def fetch_gap(http: MatrixHttp, room_id: str, prev_batch: str, since: str
                    ) -> list[dict[str, Any]]:
    """The events between our last sync (`since`) and a limited timeline's start, oldest first."""
    events: list[dict[str, Any]] = []
    start: str | None = prev_batch
    while start:
        page = await http.request("GET", f"/rooms/{segment(room_id)}/messages", query={
            "dir": "b", "from": start, "to": since, "limit": str(PAGE)})
        chunk = [event for event in page.get("chunk") or () if isinstance(event, dict)]
        events.extend(chunk)
        end = page.get("end")
        start = end if isinstance(end, str) and chunk and end != start else None
    events.reverse()
    return events


async def fetch_since(http: MatrixHttp, room_id: str, since: datetime) -> list[dict[str, Any]]:
    """The room's events sent at or after `since`, oldest first (for `backfill`)."""
    floor = int(since.timestamp() * 1000)
    events: list[dict[str, Any]] = []
    start: str | None = None
    while True:
        query = {"dir": "b", "limit": str(PAGE)}
        if start:
            query["from"] = start
        page = await http.request("GET", f"/rooms/{segment(room_id)}/messages", query=query)
        chunk = [event for event in page.get("chunk") or () if isinstance(event, dict)]
        for event in chunk:
            stamp = event.get("origin_server_ts")
            if isinstance(stamp, int) and stamp < floor:
                events.reverse()
                return events
            events.append(event)
        end = page.get("end")
        if not chunk or not isinstance(end, str) or end == start:
            events.reverse()
            return events
        start = end
