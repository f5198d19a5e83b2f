"""The operator's endpoints, on a port of their own (`PLENARY_OPS_PORT`), whatever platforms
run: `GET /metrics` (Prometheus text), `GET /healthz` (the process answers) and `GET /readyz`
(200 once the database answers and every adapter is connected, else 503 saying what is not).

Kept off Slack's port: a TLS proxy exposes that one to the internet, and metrics are for the
inside. Read-only: nothing here changes what the bot does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.errors import ConfigError
from bot.health import Health

log = logging.getLogger(__name__)

READY_TIMEOUT = 2.0  # seconds a database check may take before it counts as down


def ops_app(health: Health, ping_database: Callable[[], Awaitable[None]]) -> web.Application:
    async def metrics(request: web.Request) -> web.Response:
        body = generate_latest(health.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def alive(request: web.Request) -> web.Response:
        return web.json_response({"status": "alive", "replica": health.replica})

    async def ready(request: web.Request) -> web.Response:
        problems: list[str] = []
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await ping_database()
        except Exception as exc:  # down, refusing, or too slow: not ready either way
            problems.append(f"database: {type(exc).__name__}")
        problems += [f"{platform}: not connected"
                     for platform, up in sorted(health.connected.items()) if not up]
        body = {"status": "not ready" if problems else "ready", "replica": health.replica,
                "problems": problems, "matrix_sync_leader": health.leading}
        return web.json_response(body, status=503 if problems else 200)

    application = web.Application()
    application.router.add_get("/metrics", metrics)
    application.router.add_get("/healthz", alive)
    application.router.add_get("/readyz", ready)
    return application


async def start_ops(health: Health, ping_database: Callable[[], Awaitable[None]], host: str,
                    port: int) -> OpsServer:
    """Listening once this returns; a port that cannot be bound is a settings mistake."""
    runner = web.AppRunner(ops_app(health, ping_database), access_log=None,
                           handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError(f"PLENARY_OPS_PORT: cannot listen on {host}:{port} ({exc.strerror}); "
                          "choose a free port, or set it empty to serve no metrics") from None
    server = OpsServer(runner, int(runner.addresses[0][1]))
    log.info("operations endpoints on http://%s:%d (/metrics, /healthz, /readyz)",
             host, server.port)
    return server


class OpsServer:
    def __init__(self, runner: web.AppRunner, port: int) -> None:
        self._runner = runner
        self.port = port  # the bound one (tests bind port 0)

    async def close(self) -> None:
        await self._runner.cleanup()
