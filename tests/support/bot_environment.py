"""The environment a `plenary` subprocess of a test runs in: none of the caller's PLENARY_*
settings, and no probe server (`PLENARY_OPS_PORT` empty), so that two suites running at once
on one machine never race for the default port. A test of the probes sets its own port."""

from __future__ import annotations

import os


def bot_environment(**settings: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PLENARY_")}
    environment["PLENARY_OPS_PORT"] = ""
    environment.update(settings)
    return environment
