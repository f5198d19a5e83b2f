"""Which members' devices get our room keys: trust on first use, or verified devices only.

matrix-nio keeps the first signing (ed25519) key it saw for a device and ignores a later,
different one. `tofu` trusts every device the first time its keys are seen; `verified` trusts
only the devices listed, with their fingerprint, in `PLENARY_MATRIX_VERIFIED_DEVICES` and
withholds keys from the rest. Under both, a device whose signing key changes is blacklisted:
the homeserver (or someone with the user's password) may be swapping keys, and that device
gets no room key again until its owner logs in anew, as a new device.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.errors import ConfigError

log = logging.getLogger(__name__)

DeviceKey = tuple[str, str]  # (user id, device id)


def parse_verified(entries: Iterable[str]) -> dict[DeviceKey, str]:
    """`@alice:example.org ABCDEFGHIJ ed25519-fingerprint` entries, fingerprints as Element
    shows them (groups of four, spaces allowed) or unpadded base64."""
    verified: dict[DeviceKey, str] = {}
    for entry in entries:
        parts = entry.split()
        if len(parts) < 3 or not parts[0].startswith("@"):
            raise ConfigError("PLENARY_MATRIX_VERIFIED_DEVICES: write each device as "
                              "`@user:server DEVICEID fingerprint`, separated by commas; "
                              f"got {entry[:60]!r}")
        verified[(parts[0], parts[1])] = "".join(parts[2:])
    return verified


@dataclass(slots=True)
class TrustPolicy:
    mode: str  # "tofu" | "verified"
    verified: Mapping[DeviceKey, str] = field(default_factory=dict)
    changed_keys: int = 0  # devices blacklisted because their signing key changed

    def decide(self, client: Any) -> None:
        """Give every device in nio's store a trust state under this policy."""
        store = client.device_store
        for user_id in list(store.users):
            for device in store.active_user_devices(user_id):
                if user_id == client.user_id and device.id == client.device_id:
                    continue
                if self.mode == "tofu":
                    if not device.verified and not device.blacklisted:
                        client.verify_device(device)  # a changed key stays refused
                elif self.verified.get((user_id, device.id)) == device.ed25519:
                    # The fingerprint checked out of band is the key nio holds: nio keeps
                    # the first key it saw, so a later swap never reaches this branch.
                    if device.blacklisted:
                        client.unblacklist_device(device)
                    if not device.verified:
                        client.verify_device(device)
                elif not device.blacklisted:
                    client.blacklist_device(device)

    def refuse_changed(self, client: Any, device_keys: Mapping[str, Any]) -> None:
        """Blacklist devices whose signing key in a key query answer differs from the one
        nio holds (nio keeps the old key, logs, and would go on sending to the device)."""
        store = client.device_store
        for user_id, devices in device_keys.items():
            known = {device.id: device for device in store.active_user_devices(user_id)}
            if not isinstance(devices, dict):
                continue
            for device_id, payload in devices.items():
                device = known.get(device_id)
                keys = payload.get("keys") if isinstance(payload, dict) else None
                new = keys.get(f"ed25519:{device_id}") if isinstance(keys, dict) else None
                if device is None or new is None or new == device.ed25519:
                    continue
                if not device.blacklisted:
                    self.changed_keys += 1
                    log.warning("the signing key of device %s of %s changed: it gets no room "
                                "key from now on (its owner should log in as a new device)",
                                device_id, user_id)
                    client.blacklist_device(device)
