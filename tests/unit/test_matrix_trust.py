"""Device trust (tofu / verified), the store's place, and staff hearing of unreadable messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from nio.crypto import DeviceStore, OlmDevice, TrustState

from bot.adapters.matrix.crypto import store_path
from bot.adapters.matrix.trust import TrustPolicy, parse_verified
from bot.errors import ConfigError
from tests.conftest import make_settings

BOT, ALICE = "@bot:x", "@alice:x"


class FakeClient:
    """nio's device store and trust calls, without an Olm account."""

    user_id, device_id = BOT, "BOTDEVICE"

    def __init__(self, *devices: OlmDevice) -> None:
        self.device_store = DeviceStore()
        for device in devices:
            self.device_store.add(device)

    def verify_device(self, device: OlmDevice) -> bool:
        device.trust_state = TrustState.verified
        return True

    def blacklist_device(self, device: OlmDevice) -> bool:
        device.trust_state = TrustState.blacklisted
        return True

    def unblacklist_device(self, device: OlmDevice) -> bool:
        device.trust_state = TrustState.unset
        return True


def device(user_id: str, device_id: str, ed25519: str) -> OlmDevice:
    return OlmDevice(user_id, device_id, {"ed25519": ed25519, "curve25519": f"c-{device_id}"})


def test_tofu_trusts_each_device_when_first_seen_but_never_a_refused_one() -> None:
    phone, laptop = device(ALICE, "PHONE", "key1"), device(ALICE, "LAPTOP", "key2")
    laptop.trust_state = TrustState.blacklisted  # its key changed once
    own = device(BOT, "BOTDEVICE", "mine")
    client = FakeClient(phone, laptop, own)
    TrustPolicy("tofu").decide(client)
    assert phone.verified and laptop.blacklisted and own.trust_state is TrustState.unset


def test_verified_trusts_only_listed_devices_with_their_fingerprint() -> None:
    listed, wrong, unlisted = (device(ALICE, "PHONE", "key1"), device(ALICE, "TABLET", "key9"),
                               device(ALICE, "LAPTOP", "key2"))
    unlisted.trust_state = TrustState.verified  # trusted before the policy changed
    client = FakeClient(listed, wrong, unlisted)
    verified = parse_verified([f"{ALICE} PHONE key1", f"{ALICE} TABLET ke y3"])
    TrustPolicy("verified", verified).decide(client)
    assert listed.verified and wrong.blacklisted and unlisted.blacklisted
    # Once its fingerprint is listed (checked out of band), a withheld device is trusted.
    TrustPolicy("verified", {**verified, (ALICE, "LAPTOP"): "key2"}).decide(client)
    assert unlisted.verified


def test_a_device_whose_signing_key_changes_gets_no_key_again() -> None:
    phone = device(ALICE, "PHONE", "key1")
    phone.trust_state = TrustState.verified
    client = FakeClient(phone)
    policy = TrustPolicy("tofu")
    answer = {ALICE: {"PHONE": {"keys": {"ed25519:PHONE": "someone-elses"}}}}
    policy.refuse_changed(client, answer)
    assert phone.blacklisted and policy.changed_keys == 1
    policy.decide(client)
    assert phone.blacklisted
    policy.refuse_changed(client, {ALICE: {"PHONE": {"keys": {"ed25519:PHONE": "key1"}}}})
    assert policy.changed_keys == 1


def test_fingerprints_are_read_as_element_shows_them() -> None:
    assert parse_verified(["@a:x DEV abcd efgh ijkl"]) == {("@a:x", "DEV"): "abcdefghijkl"}
    with pytest.raises(ConfigError, match="PLENARY_MATRIX_VERIFIED_DEVICES"):
        parse_verified(["DEV abcd"])


def test_the_store_lives_beside_the_database_unless_told(tmp_path: Path) -> None:
    sqlite = make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/plenary.db")
    assert store_path(sqlite) == tmp_path / "plenary-matrix-store"
    postgres = make_settings(database_url="postgresql+asyncpg://u:p@db:5432/plenary")
    assert store_path(postgres) == Path("matrix-store")
    told = make_settings(matrix_store_path=str(tmp_path / "keys"))
    assert store_path(told) == tmp_path / "keys"


def test_settings_default_to_encryption_with_trust_on_first_use() -> None:
    settings = make_settings()
    assert settings.matrix_e2ee and settings.matrix_trust == "tofu"
    listed = make_settings(matrix_verified_devices="@a:x D1 k1, @b:x D2 k2")
    assert listed.matrix_verified_devices == ("@a:x D1 k1", "@b:x D2 k2")
