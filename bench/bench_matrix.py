"""Matrix ingestion speed: one large sync response through the adapter into SQLite storage,
beside bare matrix-nio turning the same response into event callbacks.

    .venv/bin/python bench/bench_matrix.py [--messages 20000] [--rooms 10] [--runs 3]

Both sides start from the parsed JSON (a dict), so JSON decoding is left out of both.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.adapters.matrix import MatrixAdapter  # noqa: E402
from bot.app import build_router, build_services  # noqa: E402
from bot.ports import SystemClock  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage import Database, Storage, make_engine  # noqa: E402
from bot.workplan import load_workplan  # noqa: E402

BOT = "@plenary:example.org"
USERS_PER_ROOM = 40
TAGS = ("#wp1", "#wp3 #solution", "#resources", "#wp7", "#consensus")


def sync_response(messages: int, rooms: int) -> dict[str, Any]:
    """`messages` text messages spread over `rooms` joined rooms; every fifth one tagged."""
    joined: dict[str, Any] = {}
    per_room = messages // rooms
    stamp = 1_700_000_000_000
    for r in range(rooms):
        room_id = f"!room{r}:example.org"
        users = [f"@user{r}-{u}:example.org" for u in range(USERS_PER_ROOM)]
        state = [
            _state("m.room.create", "", users[0], {"room_version": "11", "creator": users[0]}),
            _state("m.room.name", "", users[0], {"name": f"Consultation {r}"}),
            _state("m.room.power_levels", "", users[0], {"users": {users[0]: 100}}),
            *(_state("m.room.member", user, user, {"membership": "join",
                                                   "displayname": f"Member {user[5:12]}"})
              for user in [*users, BOT]),
        ]
        events = []
        for m in range(per_room):
            n = r * per_room + m
            body = f"Input number {n}: we should share the budget earlier"
            if n % 5 == 0:
                body += " " + TAGS[n // 5 % len(TAGS)]
            events.append({"type": "m.room.message", "event_id": f"$event{n}",
                           "sender": users[m % USERS_PER_ROOM], "origin_server_ts": stamp + n,
                           "content": {"msgtype": "m.text", "body": body},
                           "unsigned": {"age": 1000}})
        joined[room_id] = {"state": {"events": state},
                           "timeline": {"events": events, "limited": False,
                                        "prev_batch": f"p{r}"},
                           "ephemeral": {"events": []}, "account_data": {"events": []},
                           "unread_notifications": {}}
    return {"next_batch": "s2_after", "rooms": {"join": joined, "invite": {}, "leave": {}},
            "presence": {"events": []}, "account_data": {"events": []},
            "to_device": {"events": []}, "device_lists": {"changed": [], "left": []},
            "device_one_time_keys_count": {}}


def _state(kind: str, key: str, sender: str, content: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "state_key": key, "sender": sender, "content": content,
            "event_id": f"${kind}-{key}-{sender}", "origin_server_ts": 1_600_000_000_000}


async def bare_nio(response: dict[str, Any]) -> tuple[float, int]:
    """matrix-nio as usual: validate and parse the response, run the event callbacks."""
    client = nio.AsyncClient("http://127.0.0.1:9", BOT)
    seen = 0

    async def on_message(room: nio.MatrixRoom, event: nio.RoomMessageText) -> None:
        nonlocal seen
        seen += 1

    client.add_event_callback(on_message, nio.RoomMessageText)
    data = copy.deepcopy(response)
    started = time.perf_counter()
    parsed = nio.SyncResponse.from_dict(data)
    await client.receive_response(parsed)
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed, seen


async def adapter_into_storage(response: dict[str, Any], workdir: Path) -> tuple[float, int, int]:
    """The adapter: translate, dispatch through the real router, store, commit the token."""
    database = workdir / "bench.db"
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{database}",
                        workplan=ROOT / "config" / "workplan.yaml", tag_ack="none",
                        matrix_homeserver="http://127.0.0.1:9", matrix_user_id=BOT,
                        matrix_password="unused")
    plan = load_workplan(settings.workplan)
    db = Database(make_engine(settings.database_url))
    await db.create_schema()
    storage = Storage(db)
    adapter = MatrixAdapter(settings, storage, SystemClock())
    adapter.client.user_id = BOT
    if adapter.encrypted is not None:
        # End-to-end encryption is on by default: load the Olm machine as a running bot has
        # it (its keys marked published, so that no upload is tried: there is no server).
        # Its store file stays in the temporary folder, reused by the next run.
        adapter.client.device_id = "BENCH"
        adapter.client.store_path = str(workdir)
        adapter.client.load_store()
        olm = adapter.client.olm
        olm.account.shared = True
        olm.uploaded_key_count = olm.account.max_one_time_keys
        assert adapter.encrypted.readable
    adapter.keeper.subscribed.update(response["rooms"]["join"])
    services = build_services(settings, plan, storage, [adapter], SystemClock())
    router = build_router(services)
    data = copy.deepcopy(response)
    started = time.perf_counter()
    await adapter.ingest.apply(data, "s1_before", router.handle)
    elapsed = time.perf_counter() - started
    stored = await storage.count_messages()
    tagged = sum((await storage.input_counts()).values())
    assert await adapter.ingest.token() == "s2_after"
    await services.background.settle()  # the consent notices, before the client closes
    await storage.close()
    await adapter.close()
    await db.dispose()
    database.unlink()
    return elapsed, stored, tagged


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # New members' consent notices go out after each run, to a homeserver that is not there:
    # their failures are expected here and would bury the figures under tracebacks.
    logging.getLogger("bot.handlers.consent").setLevel(logging.CRITICAL)
    response = sync_response(args.messages, args.rooms)
    nio_times, adapter_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            elapsed, seen = await bare_nio(response)
            assert seen == args.messages, seen
            nio_times.append(elapsed)
            elapsed, stored, tagged = await adapter_into_storage(response, Path(tmp))
            assert stored == args.messages, stored
            assert tagged == args.messages // 5, tagged
            adapter_times.append(elapsed)
    nio_rate = args.messages / statistics.median(nio_times)
    adapter_rate = args.messages / statistics.median(adapter_times)
    print(f"{args.messages} messages in {args.rooms} rooms, {args.messages // 5} tagged; "
          f"median of {args.runs} runs")
    print(f"bare matrix-nio (parse + callbacks):          {nio_rate:10,.0f} events/s")
    print(f"plenary adapter (parse + router + SQLite):    {adapter_rate:10,.0f} events/s")
    print(f"ratio adapter / bare nio:                     {adapter_rate / nio_rate:10.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
