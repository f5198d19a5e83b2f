"""docker-compose.yml, the Dockerfile and the Caddyfile agree with each other and with Settings
(no Docker engine here: the files are checked as data)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings
from tests.conftest import ROOT

OPS_PORT = 9180
HTTP_PORT = 3000
REPLICAS = ("plenary-1", "plenary-2")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _exposed() -> set[int]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return {int(port) for line in re.findall(r"^EXPOSE (.+)$", text, re.MULTILINE)
            for port in line.split()}


def _container_port(mapping: str) -> int:
    return int(mapping.rsplit(":", 1)[1])


def test_two_replicas_run_the_bot_on_the_compose_postgresql(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in REPLICAS:
        replica = services[name]
        assert replica["command"] == ["run"]
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        url = replica["environment"]["PLENARY_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://") and "@postgres:5432/" in url
        assert {_container_port(p) for p in replica["ports"]} == {HTTP_PORT, OPS_PORT}
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"


def test_postgresql_keeps_its_data_and_says_when_it_is_ready(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    volume, _, mount = postgres["volumes"][0].partition(":")
    assert volume in compose["volumes"] and mount == "/var/lib/postgresql/data"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    env = postgres["environment"]
    url = compose["services"]["plenary-1"]["environment"]["PLENARY_DATABASE_URL"]
    assert f"//{env['POSTGRES_USER']}:" in url and url.endswith(f"/{env['POSTGRES_DB']}")


def test_replicas_are_healthy_when_readyz_answers_with_python_alone(compose: dict[str, Any]
                                                                    ) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    checks = [" ".join(compose["services"][name]["healthcheck"]["test"]) for name in REPLICAS]
    checks.append(re.search(r"HEALTHCHECK .*?CMD (.+)$", dockerfile,
                            re.MULTILINE | re.DOTALL).group(1))  # type: ignore[union-attr]
    for check in checks:
        assert "curl" not in check and "urllib.request.urlopen" in check
        assert f"http://localhost:{OPS_PORT}/readyz" in check
    assert {HTTP_PORT, OPS_PORT} <= _exposed()
    # The health checks ask the port the bot serves its probes on by default.
    from bot.settings import Settings
    assert Settings.model_fields["ops_port"].default == OPS_PORT


def test_every_published_port_is_one_the_image_exposes(compose: dict[str, Any]) -> None:
    image_services = [s for s in compose["services"].values() if s.get("build") == "."]
    assert len(image_services) == 3  # migrate and the two replicas
    for service in image_services:
        assert {_container_port(p) for p in service.get("ports", [])} <= _exposed()


def test_every_plenary_variable_in_compose_is_a_setting() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"\bPLENARY_[A-Z0-9_]+", text))
    assert "PLENARY_DATABASE_URL" in names
    unknown = {n for n in names if n.removeprefix("PLENARY_").lower() not in Settings.model_fields}
    assert not unknown, f"not in bot/settings.py: {sorted(unknown)}"


def test_synapse_and_the_proxy_are_optional_profiles(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["synapse"]["profiles"] == ["synapse"]
    assert services["synapse"]["image"].startswith("matrixdotorg/synapse")
    assert "generate" in " ".join(services["synapse-config"]["entrypoint"])
    assert services["synapse"]["depends_on"]["synapse-config"]["condition"] == \
        "service_completed_successfully"
    assert services["proxy"]["profiles"] == ["proxy"]
    for name in ("postgres", "migrate", *REPLICAS):
        assert "profiles" not in services[name]  # the default `up` runs the bot


def test_the_proxy_balances_slack_over_both_replicas(compose: dict[str, Any]) -> None:
    mounted = compose["services"]["proxy"]["volumes"][0].split(":")
    caddyfile = (ROOT / mounted[0]).read_text(encoding="utf-8")
    assert mounted[1] == "/etc/caddy/Caddyfile"
    for name in REPLICAS:
        assert f"{name}:{HTTP_PORT}" in caddyfile
    assert "handle /slack/*" in caddyfile
    assert "health_uri /readyz" in caddyfile and f"health_port {OPS_PORT}" in caddyfile


def test_the_deploy_guide_covers_each_procedure() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for needed in ("plenary db backup", "pg_dump -Fc", "pg_restore", "plenary db upgrade",
                   "Socket Mode", "reverse_proxy", "proxy_pass", "docker compose"):
        assert needed in guide, needed
    assert Path(ROOT / "README.md").read_text(encoding="utf-8").count("docs/deploy.md") >= 1
