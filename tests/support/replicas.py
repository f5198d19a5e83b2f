"""`plenary run` replicas as real processes: started, watched through their own log lines and
operations endpoints, killed or stopped. Used by the replica tests and the soak benchmark."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.bot_environment import bot_environment

ROOT = Path(__file__).resolve().parents[2]
SLACK_LISTENING = re.compile(r"Slack endpoint listening on (http://\S+)")
OPS_LISTENING = re.compile(r"operations endpoints on (http://[^\s(]+)")


class Replica:
    def __init__(self, name: str, env: Mapping[str, str]) -> None:
        self.name = name
        self._env = bot_environment(**{
            "PLENARY_HTTP_HOST": "127.0.0.1", "PLENARY_HTTP_PORT": "0",
            "PLENARY_OPS_HOST": "127.0.0.1", "PLENARY_OPS_PORT": "0", **env})
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self.slack_url: str | None = None
        self.ops_url: str | None = None
        self._reader: asyncio.Task[None] | None = None
        self._seen = asyncio.Event()

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=self._env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            decoded = line.decode("utf-8", errors="replace").rstrip("\n")
            self.lines.append(decoded)
            if found := SLACK_LISTENING.search(decoded):
                self.slack_url = found.group(1)
            if found := OPS_LISTENING.search(decoded):
                self.ops_url = found.group(1)
            self._seen.set()

    def log(self) -> str:
        return "\n".join(self.lines)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def readiness(self, http: aiohttp.ClientSession) -> dict[str, Any] | None:
        """The replica's /readyz answer, or None while it serves none."""
        if self.ops_url is None or not self.alive:
            return None
        try:
            async with http.get(f"{self.ops_url}/readyz",
                                timeout=aiohttp.ClientTimeout(total=3)) as answer:
                body: dict[str, Any] = json.loads(await answer.text())
                body["http_status"] = answer.status
                return body
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return None

    async def metrics(self, http: aiohttp.ClientSession) -> str:
        assert self.ops_url is not None
        async with http.get(f"{self.ops_url}/metrics") as answer:
            return await answer.text()

    async def wait_ready(self, http: aiohttp.ClientSession, timeout: float = 60) -> None:  # noqa: ASYNC109
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if not self.alive:
                raise AssertionError(f"{self.name} ended at start:\n{self.log()[-4000:]}")
            ready = await self.readiness(http)
            if ready is not None and ready["http_status"] == 200:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} not ready after {timeout} s:\n{self.log()[-4000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self, timeout: float = 15) -> int:  # noqa: ASYNC109
        """SIGTERM, then the exit code (killed if it has not stopped in `timeout` s)."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            await self._reader
        assert self.process.returncode is not None
        return self.process.returncode


async def leaders(replicas: list[Replica], http: aiohttp.ClientSession) -> list[Replica]:
    found = []
    for replica in replicas:
        ready = await replica.readiness(http)
        if ready is not None and ready.get("matrix_sync_leader"):
            found.append(replica)
    return found
