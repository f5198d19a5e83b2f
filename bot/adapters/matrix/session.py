"""Logging in with one device for the bot's whole life: its id is kept in the database.

A restart reuses the device (transaction ids stay deduplicated, no device list growing by one
per restart). The bot never logs out: `/logout` would delete the device.
"""

from __future__ import annotations

import logging

import nio

from bot.errors import AdapterError, ConfigError
from bot.ports import Clock
from bot.settings import Settings
from bot.storage import Storage

log = logging.getLogger(__name__)

DEVICE_NAME = "plenary"


def device_key(user_id: str) -> str:
    return f"matrix:{user_id}:device_id"


async def open_session(client: nio.AsyncClient, settings: Settings, storage: Storage,
                       clock: Clock) -> None:
    """Authenticate `client` (access token, else password) and remember the device id."""
    user_id = settings.matrix_user_id or ""
    key = device_key(user_id)
    if settings.matrix_access_token is not None:
        # Not `restore_login`: with the encryption extra installed it opens the key store,
        # which needs the device id whoami is about to tell (crypto.py opens it after).
        client.user_id = user_id
        client.access_token = settings.matrix_access_token.get_secret_value()
        who = await client.whoami()
        if not isinstance(who, nio.WhoamiResponse):
            raise ConfigError(f"PLENARY_MATRIX_ACCESS_TOKEN was refused: {who.status_code}")
        if who.user_id != user_id:
            raise ConfigError(f"the access token belongs to {who.user_id}, not {user_id}")
        client.user_id = who.user_id
        client.device_id = who.device_id or ""
    else:
        assert settings.matrix_password is not None  # Settings.check_adapters made sure
        client.device_id = await storage.get_state(key) or ""
        answer = await client.login(settings.matrix_password.get_secret_value(),
                                    device_name=DEVICE_NAME)
        if not isinstance(answer, nio.LoginResponse):
            code = getattr(answer, "status_code", "")
            if code == "M_FORBIDDEN":
                raise ConfigError(f"PLENARY_MATRIX_PASSWORD was refused for {user_id}")
            raise AdapterError(f"login failed: {code}")
    if client.device_id:
        await storage.set_state(key, client.device_id, clock.now())
    log.info("logged in to %s as %s, device %s", settings.matrix_homeserver, client.user_id,
             client.device_id)
