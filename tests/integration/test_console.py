"""The console chat and the CLI, as a person runs them: real subprocesses, stdin and stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHIPPED_PLAN
from tests.support.bot_environment import bot_environment

pytestmark = pytest.mark.integration

PLENARY = str(Path(sys.executable).with_name("plenary"))


def plenary(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = bot_environment(**env)
    return subprocess.run([PLENARY, *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=60, check=False)


def console(tmp_path: Path, *lines: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Type these lines into `plenary run`, carol being staff, and wait for the end of input."""
    run = plenary("run", cwd=tmp_path, stdin="\n".join(lines) + "\n",
                  **{"PLENARY_STAFF": "carol", **env})
    assert run.returncode == 0, run.stderr
    return run


def test_the_readme_example_prints_a_digest_with_alices_solution(tmp_path: Path) -> None:
    run = plenary("run", cwd=tmp_path, PLENARY_STAFF="carol",
                  stdin="@alice: Set priorities first #wp1 #solution\n@carol: !digest\n")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "[m1] @alice: Set priorities first #wp1 #solution" in out
    digest = out[out.index("plenary → @carol (private):"):]
    assert "- **1. Prioritization of work** — 1 input · 1 contributor · 1 channel" in digest
    issue1 = digest.index("\n**1. Prioritization of work**\n")
    solutions = digest.index("Possible solutions:", issue1)
    entry = digest.index("alice in console", solutions)
    assert "Set priorities first" in digest[entry:]
    assert "Traceback" not in run.stderr
    assert (tmp_path / "plenary.db").exists()  # default: a SQLite file in the working directory


def test_every_console_line_form(tmp_path: Path) -> None:
    run = console(
        tmp_path,
        "@alice: Interpretation for every call",
        "@bob: /react m1 5️⃣",
        "@alice: /edit m1 Interpretation for every call #quickwin",
        "@bob: /reply m1 !tag 3 solution",
        "@dave: Off-topic #wp7",
        "/delete m3",
        "@carol: !digest",
        "/react the first one",
    )
    out = run.stdout
    assert "Tagged to **3. Efficient use of resources**, #solution." in out
    digest = out[out.index("plenary → @carol (private):"):]
    assert "**5. Representation and inclusivity** — 1 input ·" in digest
    assert "**3. Efficient use of resources** — 1 input ·" in digest
    assert "**7. Complexity** — ⚠ no input in this period" in digest  # m3 (dave) was deleted
    assert "Interpretation for every call #quickwin" in digest
    assert "! write it as: /reply m1 text" in out


def test_staying_in_french(tmp_path: Path) -> None:
    run = plenary("run", cwd=tmp_path, stdin="!frobnicate\n", PLENARY_LOCALE="fr")
    assert "plenary (re m1): Je ne connais pas la commande !frobnicate. Écrivez !help" in run.stdout


def test_a_bad_work_plan_stops_with_one_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text(SHIPPED_PLAN.read_text(encoding="utf-8").replace(
        "timezone: America/Toronto", "timezone: Nowhere/Land"), encoding="utf-8")
    run = plenary("run", cwd=tmp_path, PLENARY_WORKPLAN=str(bad))
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"plenary: configuration error: {bad}: timezone: unknown timezone 'Nowhere/Land' "
        "(use an IANA name such as America/Toronto)"]


def test_a_bad_setting_stops_with_one_line_and_exit_code_2(tmp_path: Path) -> None:
    run = plenary("check-config", cwd=tmp_path, PLENARY_LOCALE="de")
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1
    assert run.stderr.startswith("plenary: configuration error: PLENARY_LOCALE:")


def test_check_config_summarises_without_secrets(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://plenary:hunter2@db.example/plenary"
    run = plenary("check-config", cwd=tmp_path, PLENARY_DATABASE_URL=url, PLENARY_STAFF="a,b")
    assert run.returncode == 0, run.stderr
    assert "8 issues, 3 kinds, 2 milestones, timezone America/Toronto" in run.stdout
    assert "staff: 2 listed" in run.stdout
    assert "hunter2" not in run.stdout + run.stderr


def test_db_upgrade_then_offline_digest_as_json(tmp_path: Path) -> None:
    assert plenary("db", "upgrade", cwd=tmp_path).returncode == 0
    plenary("run", cwd=tmp_path, stdin="@alice: Cut meetings #wp3 #quickwin\n@bob: #wp1 x\n")
    out = tmp_path / "digest.json"
    run = plenary("digest", "--issue", "ressources", "--format", "json", "--output", str(out),
                  cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [i["number"] for i in data["issues"]] == [3]
    assert data["issues"][0]["entries"][0]["text"] == "Cut meetings #wp3 #quickwin"
    assert data["issues"][0]["entries"][0]["kinds"] == ["quickwin"]


def test_offline_digest_rejects_a_bad_date_in_one_line(tmp_path: Path) -> None:
    run = plenary("digest", "--since", "last tuesday", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == ("plenary: `last tuesday` is not a date I can read: write "
                                  "2019-10-01, or 7d for seven days ago.")


def test_console_edits_reactions_and_deletions_say_what_happened(tmp_path: Path) -> None:
    run = console(
        tmp_path,
        "@alice: We should share rooms #wp5 #solution",
        "@bob: /react m1 3️⃣",
        "@bob: /unreact m1 3️⃣",
        "@alice: /edit m1 We should share rooms #wp2",
        "@carol: !hide m1 off topic",
        "@bob: /delete m99",
        "@bob: /react m7 3️⃣",
        "@bob: /react m1",
        "/delete m1",
    )
    out = run.stdout.splitlines()
    assert "[@bob reacted 3️⃣ to m1]" in out
    assert "[@bob took back 3️⃣ on m1]" in out
    assert "[m1 edited by @alice]: We should share rooms #wp2" in out
    # The console's own short id names the message for commands too.
    assert ("plenary (re m2): Hidden from digests. Reason: off topic. Recorded in the audit "
            "log.") in out
    assert out.count("! there is no m99 in this run (messages: m1 to m2)") == 1
    assert "! there is no m7 in this run (messages: m1 to m2)" in out
    assert "! write it as: /react m1 3️⃣" in out
    assert "[m1 deleted]" in out
    assert "Traceback" not in run.stderr
