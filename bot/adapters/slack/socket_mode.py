"""The Socket Mode transport (no public URL), with a watchdog for stuck connections.

slack_sdk reconnects by itself, but can stay in a broken state after a failed reconnect
(python-slack-sdk#1446, #1701); the watchdog opens a new connection when the client has
not been connected for two checks in a row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

WATCHDOG_SECONDS = 30.0


async def serve_socket_mode(app: AsyncApp, app_token: str, on_connected: Callable[[], None],
                            watchdog_seconds: float = WATCHDOG_SECONDS) -> None:
    """Run until cancelled."""
    handler = AsyncSocketModeHandler(app, app_token, ping_interval=10)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("connected to Slack in Socket Mode")
        on_connected()
        misses = 0
        while True:
            await asyncio.sleep(watchdog_seconds)
            if await handler.client.is_connected():
                misses = 0
                continue
            misses += 1
            if misses >= 2:
                log.warning("Socket Mode connection lost for %d checks: reconnecting", misses)
                try:
                    await handler.client.connect_to_new_endpoint(force=True)
                    misses = 0
                except Exception:
                    log.exception("Socket Mode reconnection failed; trying again later")
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
