"""A real Synapse homeserver on loopback for integration tests (stdlib only)."""

from __future__ import annotations

import base64
import ctypes
import hashlib
import hmac
import importlib.util
import itertools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from tests.support.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VENV = REPO_ROOT / ".venv-synapse"

READY_TIMEOUT_S = 60.0
READY_POLL_S = 0.05
STOP_TIMEOUT_S = 20.0
HTTP_TIMEOUT_S = 10.0
_PORT_ATTEMPTS = 3
_LOG_TAIL_BYTES = 4000

# Loopback only: never route test traffic through an http_proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_names = itertools.count(1)


class SynapseError(RuntimeError):
    """Synapse failed to start, or an admin API call failed."""


def synapse_python() -> str | None:
    """The interpreter that can run Synapse, or None if none is installed.

    Order: env SYNAPSE_PYTHON; <SYNAPSE_VENV or repo/.venv-synapse>/bin/python if it exists;
    the current interpreter if it can import synapse.
    """
    explicit = os.environ.get("SYNAPSE_PYTHON")
    if explicit:
        return _absolute(explicit)
    venv = Path(os.environ.get("SYNAPSE_VENV") or DEFAULT_VENV)
    venv_python = venv / "bin" / "python"
    if venv_python.exists():
        return str(venv_python)
    # find_spec does not run synapse/__init__.py, so this stays cheap and side-effect free.
    spec = importlib.util.find_spec("synapse")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "app" / "homeserver.py").exists():
                return sys.executable
    return None


def _absolute(python: str) -> str:
    # Synapse runs with cwd=workdir, so a relative path or bare name must be resolved here.
    found = shutil.which(python)
    return os.path.abspath(found or python)


def unique_localpart(prefix: str = "user") -> str:
    """A localpart not yet used in this test process, e.g. ``alice-3``."""
    return f"{prefix.lower()}-{next(_names)}"


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that makes the child get SIGTERM when the thread that started it exits.

    This stops a SIGKILLed test runner from leaving Synapse running on its port. Linux only.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before fork, not in the child
    pr_set_pdeathsig = 1
    parent_pid = os.getpid()

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def _yaml_line(key: str, value: object) -> str:
    # JSON flow style is valid YAML; it saves hand-quoting and keeps one key per line.
    return f"{key}: {json.dumps(value)}\n"


def _relaxed(*names: str) -> dict[str, dict[str, int]]:
    return {name: {"per_second": 1000, "burst_count": 1000} for name in names}


class SynapseServer:
    """One Synapse process with its config, SQLite database and log in ``workdir``.

    ``start()``/``stop()``/``restart()`` keep the database, so users and rooms survive a restart;
    the port is kept across restarts so existing URLs stay valid. Start it from the main thread:
    the child is tied to the starting thread's lifetime (PDEATHSIG).
    """

    def __init__(
        self, workdir: Path, python: str | None = None, server_name: str = "localhost"
    ) -> None:
        found = python or synapse_python()
        if found is None:
            raise SynapseError(
                "Synapse is not installed: run scripts/install-synapse or set SYNAPSE_PYTHON"
            )
        self.python = _absolute(found)
        self.workdir = Path(workdir)
        self.config_path = self.workdir / "homeserver.yaml"
        self.log_path = self.workdir / "synapse.log"
        self.shared_secret = secrets.token_hex(16)
        self._server_name = server_name
        self._signing_key = "ed25519 a_test " + base64.b64encode(os.urandom(32)).decode().rstrip(
            "="
        )
        self._port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def server_name(self) -> str:
        return self._server_name

    @property
    def port(self) -> int:
        if self._port is None:
            raise SynapseError("Synapse has not been started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{self._server_name}"

    def start(self) -> None:
        """Launch Synapse and block until it answers /_matrix/client/versions.

        Raises SynapseError (with the log path and tail) if it exits early or is not ready in
        READY_TIMEOUT_S. On a first start, a port lost to another process is retried.
        """
        if self.running:
            raise SynapseError(f"Synapse is already running at {self.url}")
        first_start = self._port is None
        for attempt in itertools.count(1):
            if first_start:
                self._port = free_port()
                self._write_config()
            try:
                self._launch_and_wait()
                return
            except SynapseError:
                retryable = first_start and attempt < _PORT_ATTEMPTS
                if not (retryable and "Address already in use" in self._log_tail()):
                    raise

    def stop(self) -> int | None:
        """SIGTERM, wait up to STOP_TIMEOUT_S, then SIGKILL. Returns the exit code (None if
        it was not running)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.terminate()
            try:
                return proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
        return proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Create a user with the shared-secret admin API; returns the full user id."""
        endpoint = "/_synapse/admin/v1/register"
        nonce = self._request("GET", endpoint)["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password):
            mac.update(part.encode())
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        body = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        user_id: str = self._request("POST", endpoint, body)["user_id"]
        return user_id

    def _config(self) -> dict[str, object]:
        return {
            "server_name": self._server_name,
            "report_stats": False,
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "resources": [{"names": ["client"]}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(self.workdir / "homeserver.db")},
            },
            "media_store_path": str(self.workdir / "media_store"),
            "pid_file": str(self.workdir / "homeserver.pid"),
            "signing_key": self._signing_key,
            "trusted_key_servers": [],
            "registration_shared_secret": self.shared_secret,
            "bcrypt_rounds": 4,  # default 12 costs ~240 ms per register/login
            # Default limits plus nio's silent 429 retries turn a test into a minutes-long hang.
            **_relaxed(
                "rc_message",
                "rc_registration",
                "rc_joins_per_room",
                "rc_room_creation",
                "rc_admin_redaction",
            ),
            "rc_login": _relaxed("address", "account", "failed_attempts"),
            "rc_joins": _relaxed("local", "remote"),
            "rc_invites": _relaxed("per_room", "per_user", "per_issuer"),
            "rc_presence": _relaxed("per_user"),
        }

    def _write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        text = "".join(_yaml_line(k, v) for k, v in self._config().items())
        self.config_path.write_text(text, encoding="utf-8")

    def _launch_and_wait(self) -> None:
        with self.log_path.open("ab") as log:
            log.write(f"\n===== harness: starting Synapse on port {self.port} =====\n".encode())
            log.flush()
            try:
                self._proc = subprocess.Popen(
                    [self.python, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                    cwd=self.workdir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent(),
                )
            except OSError as exc:
                raise SynapseError(f"cannot run Synapse with {self.python}: {exc}") from exc
        proc = self._proc
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self._is_ready():
            if time.monotonic() > deadline:
                self.stop()
                raise SynapseError(
                    self._failure(f"Synapse was not ready after {READY_TIMEOUT_S:.0f} s")
                )
            try:  # doubles as the 50 ms pause between polls
                code = proc.wait(timeout=READY_POLL_S)
            except subprocess.TimeoutExpired:
                continue
            self._proc = None
            raise SynapseError(self._failure(f"Synapse exited with code {code} on startup"))

    def _is_ready(self) -> bool:
        try:
            with _opener.open(f"{self.url}/_matrix/client/versions", timeout=1.0) as resp:
                return bool(resp.status == 200)
        except urllib.error.HTTPError as exc:
            exc.close()
            return False
        except (urllib.error.URLError, OSError):
            return False

    def _request(self, method: str, path: str, body: object | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with _opener.open(req, timeout=HTTP_TIMEOUT_S) as resp:
                result: dict[str, Any] = json.load(resp)
                return result
        except urllib.error.HTTPError as exc:
            with exc:
                detail = exc.read().decode(errors="replace")
            raise SynapseError(f"{method} {path} -> HTTP {exc.code}: {detail}") from None

    def _log_tail(self) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - _LOG_TAIL_BYTES))
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def _failure(self, what: str) -> str:
        return f"{what}. Log: {self.log_path}\n--- last lines ---\n{self._log_tail()}"
