"""Start-up mistakes, as an operator makes them: `plenary run` in a real subprocess stops with
exit 2 and one line naming the setting and what to do, never a traceback; a homeserver that
cannot be reached is waited for with back-off and one line per try."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest

from tests.support.bot_environment import bot_environment
from tests.support.fake_slack import FakeSlack

pytestmark = pytest.mark.integration

PLENARY = str(Path(sys.executable).with_name("plenary"))
SQLITE = "sqlite+aiosqlite:///plenary.db"


async def run_plenary(cwd: Path, *, seconds: float = 60, until: tuple[str, int] | None = None,
                      **env: str) -> tuple[int | None, str]:
    """Run `plenary run` with only these PLENARY_* settings; its exit code (None when still
    running after `seconds`, or once `until`'s text has been logged that many times, then
    stopped) and its standard error."""
    environment = bot_environment(**{"PLENARY_DATABASE_URL": SQLITE, **env})
    process = await asyncio.create_subprocess_exec(
        PLENARY, "run", cwd=cwd, env=environment, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    lines: list[str] = []

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            lines.append(raw.decode())
            if until is not None and sum(until[0] in line for line in lines) >= until[1]:
                return

    code: int | None = None
    try:
        await asyncio.wait_for(read(), seconds)
        code = await asyncio.wait_for(process.wait(), 1 if until else seconds)
    except TimeoutError:
        pass
    if code is None:
        process.terminate()
        await process.wait()
    lines.append((await process.stderr.read()).decode())
    return code, "".join(lines)


def only_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("plenary:")]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/x",
     "PLENARY_DATABASE_URL: cannot reach the database at "
     "postgresql+asyncpg://postgres:***@127.0.0.1:1/x (ConnectionRefusedError"),
    ("sqlite+aiosqlite:///no/such/dir/plenary.db",
     "PLENARY_DATABASE_URL: the folder no/such/dir of sqlite+aiosqlite:///no/such/dir/plenary.db "
     "does not exist; create it, or fix the URL"),
    ("foo://bar", "PLENARY_DATABASE_URL: the scheme 'foo' is not a database URL plenary "
                  "can use; write sqlite+aiosqlite:///plenary.db or postgresql+asyncpg://"),
    ("postgresql://u:hunter2@h/db", "PLENARY_DATABASE_URL: the scheme 'postgresql' is not"),
    ("hunter2", "PLENARY_DATABASE_URL: this is not a database URL plenary can use"),
])
async def test_a_database_it_cannot_use_stops_it_with_one_line(
        tmp_path: Path, url: str, expected: str) -> None:
    code, stderr = await run_plenary(tmp_path, PLENARY_DATABASE_URL=url)
    assert code == 2
    assert only_line(stderr).startswith(f"plenary: configuration error: {expected}"), stderr
    assert "hunter2" not in stderr  # the password never reaches the terminal or a log


@pytest.mark.parametrize(("value", "expected"), [
    ("bogus", "'bogus' is not a conversation; write slack:C0123ABCD, "
              "matrix:!room:example.org or console"),
    ("slack:general", "'slack:general' is not a conversation"),  # a name, not the id
    ("matrix:staff", "'matrix:staff' is not a conversation"),
    ("slack:C0STAFF01", "slack is not running here; name a conversation on "
                        "the console (write console)"),
])
async def test_a_staff_conversation_it_cannot_post_to_stops_it_with_one_line(
        tmp_path: Path, value: str, expected: str) -> None:
    code, stderr = await run_plenary(tmp_path, PLENARY_STAFF_CONVERSATION=value)
    assert code == 2
    assert only_line(stderr).startswith(
        f"plenary: configuration error: PLENARY_STAFF_CONVERSATION: {expected}"), stderr


async def test_a_slack_token_slack_refuses_stops_it_with_one_line(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        code, stderr = await run_plenary(
            tmp_path, PLENARY_SLACK_BOT_TOKEN="xoxb-not-the-token",
            PLENARY_SLACK_SIGNING_SECRET="secret", PLENARY_SLACK_API_URL=fake.api_url,
            PLENARY_HTTP_HOST="127.0.0.1", PLENARY_HTTP_PORT="0")
        assert [call.method for call in fake.api_calls] == ["auth.test"]
    assert code == 2
    assert only_line(stderr) == (
        "plenary: configuration error: PLENARY_SLACK_BOT_TOKEN: Slack refused the token "
        "(invalid_auth); copy the Bot User OAuth Token (xoxb-...) from your Slack app's "
        "OAuth & Permissions page")
    assert "xoxb-not-the-token" not in stderr


async def test_a_slack_it_cannot_reach_stops_it_with_one_line(tmp_path: Path) -> None:
    code, stderr = await run_plenary(
        tmp_path, PLENARY_SLACK_BOT_TOKEN="xoxb-any", PLENARY_SLACK_SIGNING_SECRET="secret",
        PLENARY_SLACK_API_URL="http://127.0.0.1:9/api/")
    assert code == 1
    assert only_line(stderr).startswith("plenary: Slack auth.test failed: ClientConnectorError")


async def test_a_homeserver_it_cannot_reach_is_retried_with_back_off_quietly(
        tmp_path: Path) -> None:
    code, stderr = await run_plenary(
        tmp_path, seconds=60, until=("retrying in", 3),
        PLENARY_MATRIX_HOMESERVER="http://127.0.0.1:9",
        PLENARY_MATRIX_USER_ID="@plenary:localhost", PLENARY_MATRIX_PASSWORD="hunter2")
    assert code is None  # still waiting for the homeserver, not stopped
    assert "Timed out, sleeping" not in stderr  # nio's own retry, without back-off
    assert "Traceback" not in stderr and "hunter2" not in stderr
    delays = [float(found) for found in re.findall(
        r"cannot reach the homeserver http://127\.0\.0\.1:9 \(ClientConnectorError\); "
        r"retrying in ([\d.]+) s", stderr)]
    warnings = [line for line in stderr.splitlines() if "WARNING" in line]
    assert len(delays) == len(warnings) >= 2, stderr  # one line per try, nothing else
    # Back-off: base 1 s doubling, each times a random factor in [0.5, 1.5); the log shows
    # the delay to a tenth of a second (1.46 s reads 1.5), hence the 0.05 either side.
    assert all(0.5 * 2 ** n - 0.05 <= delay <= 1.5 * 2 ** n + 0.05
               for n, delay in enumerate(delays)), delays
