"""`plenary run` with PLENARY_MAIL_LISTEN, as deployed: a real process listening for list mail
beside the console chat; a post delivered over LMTP shows in a staff digest of its list."""

from __future__ import annotations

import asyncio
import signal
import smtplib
import sys
from pathlib import Path

import pytest

from tests.support.bot_environment import bot_environment
from tests.support.mail_archives import post
from tests.support.ports import free_port

pytestmark = pytest.mark.integration

PLENARY = str(Path(sys.executable).with_name("plenary"))


def _deliver(port: int, raw: bytes) -> tuple[int, bytes]:
    with smtplib.LMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo()
        client.mail("emm-bounces@lists.example.org")
        client.rcpt("plenary@example.org")
        return client.data(raw.replace(b"\n", b"\r\n"))


async def _line_with(stream: asyncio.StreamReader, text: str) -> str:
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError(f"the output ended before {text!r}")
        if text in line:
            return line


async def test_plenary_run_listens_for_list_mail_beside_the_chat(tmp_path: Path) -> None:
    port = free_port()
    env = bot_environment(
        PLENARY_MAIL_LISTEN=f"127.0.0.1:{port}", PLENARY_MAIL_ACCEPT="emm.lists.example.org",
        PLENARY_STAFF="carol",
        PLENARY_LIST_ARCHIVE_URL="https://lists.example.org/archives/{list}/{message_id}")
    process = await asyncio.create_subprocess_exec(
        PLENARY, "run", cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdin and process.stdout and process.stderr
    try:
        await asyncio.wait_for(_line_with(process.stderr, "mail listener (LMTP) on"), 30)
        raw = post("live-1@example.org", subject="[WP3] Pool the travel budget",
                   body="One fund for every team's travel.")
        assert await asyncio.to_thread(_deliver, port, raw) == (
            250, b"2.0.0 Stored <live-1@example.org>")
        process.stdin.write(b"@carol: !digest all channel emm\n")
        await process.stdin.drain()
        await asyncio.wait_for(_line_with(process.stdout, "plenary → @carol (private):"), 30)
        entry = await asyncio.wait_for(_line_with(process.stdout, "One fund for every"), 30)
        assert "Pool the travel budget" in entry
        # The console's input ends (its reader thread would hold the exit up otherwise); the
        # listener keeps plenary running until it is stopped.
        process.stdin.close()
        await process.stdin.wait_closed()
        again = post("live-2@example.org", body="Still listening.")
        assert (await asyncio.to_thread(_deliver, port, again))[0] == 250
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
