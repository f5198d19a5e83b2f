"""Deployment settings from `PLENARY_*` environment variables (and an optional `.env`)."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.archive_links import check_template
from bot.errors import ConfigError
from bot.i18n import locales
from bot.messages import parse_conversation
from bot.recurrence import parse_recurrence
from bot.targets import parse_channel_map
from bot.workplan import parse_lead

# The async drivers the schema and its migrations are tested on.
SUPPORTED_DATABASES = ("sqlite+aiosqlite", "postgresql+asyncpg")
CommaList = Annotated[tuple[str, ...], NoDecode]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def default_workplan_path() -> Path:
    """`config/workplan.yaml` here when present, else the copy shipped inside the package."""
    local = Path("config/workplan.yaml")
    if local.is_file():
        return local
    return Path(str(resources.files("bot") / "data" / "workplan.yaml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PLENARY_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        frozen=True,
    )

    # The core.
    database_url: str = "sqlite+aiosqlite:///plenary.db"
    workplan: Path = Field(default_factory=default_workplan_path)
    staff: CommaList = ()
    # Who a member should ask when a command is staff-only: "the EMM team, emm@icann.org".
    staff_contact: str | None = None
    timezone: str | None = None
    locale: str = "en"  # one with a catalogue (`bot/locales/po/<locale>.po`)
    command_prefix: str = "!"
    tag_ack: Literal["reaction", "reply", "none"] = "reaction"
    # Tell each member once, privately, what is kept of them (off: staff inform them another way).
    consent_notice: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    # Operations: /metrics, /healthz and /readyz for this replica (empty port: not served).
    ops_host: str = "0.0.0.0"
    ops_port: int | None = Field(default=9180, ge=0, le=65535)
    # How often a standby asks to lead the Matrix sync, and the leader checks it still does.
    leader_poll_seconds: float = Field(default=5.0, gt=0, le=60)

    # Slack (started when the bot token is set).
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    slack_channels: CommaList = ()
    slack_staff_group: str | None = None
    http_host: str = "0.0.0.0"
    http_port: int = 3000

    # Matrix (started when the homeserver is set).
    matrix_homeserver: str | None = None
    matrix_user_id: str | None = None
    matrix_password: SecretStr | None = None
    matrix_access_token: SecretStr | None = None
    matrix_rooms: CommaList = ()
    matrix_staff_room: str | None = None
    # End-to-end encrypted rooms (matrix-nio's Olm machine; docs/matrix-encryption.md).
    matrix_e2ee: bool = True
    matrix_store_path: str | None = None  # default: beside the SQLite file, else ./matrix-store
    matrix_trust: Literal["tofu", "verified"] = "tofu"
    matrix_verified_devices: CommaList = ()  # `@user:server DEVICEID ed25519-key`, for `verified`

    # Reminders and scheduled digests.
    reminder_grace: str = "1h"
    tick_seconds: int = Field(default=30, ge=1, le=3600)
    digest_cron: str | None = None
    # The inclusion lens: flag an issue on which fewer groups than this have spoken, or with
    # no input for this many days; nudge silent channels on this schedule (off when unset).
    lens_min_groups: int = Field(default=2, ge=1, le=100)
    lens_silent_days: int = Field(default=14, ge=1, le=3650)
    nudge_cron: str | None = None
    staff_conversation: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    digest_to: CommaList = ()
    # The mailing list (see README, *Mailing list*).
    mail_listen: str | None = None  # host:port of the SMTP/LMTP listener
    mail_protocol: Literal["smtp", "lmtp"] = "lmtp"
    mail_accept: CommaList = ()  # senders (a@b.org), domains (@b.org) or List-Ids
    mail_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    mail_list: str = "list"  # the channel of accepted mail that carries no List-Id
    list_archive_url: str | None = None  # {message_id}, {message_id_hash}, {list}, {month}
    channel_timezones: str = ""  # reminders per target: `slack:C1=Europe/Paris,console=UTC`
    channel_locales: str = ""  # `matrix:!room:server=fr`

    @field_validator("ops_port", mode="before")
    @classmethod
    def _port_or_none(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip() in ("", "off") else value

    _split = field_validator("staff", "slack_channels", "matrix_rooms", "digest_to",
                             "mail_accept", "matrix_verified_devices",
                             mode="before")(_split_commas)

    @field_validator("mail_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value:
            listen_address(value)
        return value

    @field_validator("list_archive_url")
    @classmethod
    def _archive_template(cls, value: str | None) -> str | None:
        return check_template(value) if value else value

    @property
    def mail_address(self) -> tuple[str, int] | None:
        return listen_address(self.mail_listen) if self.mail_listen else None

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            driver = make_url(url).drivername
        except ArgumentError:
            driver = None  # never echo the value: it may hold a password
        if driver not in SUPPORTED_DATABASES:
            shown = f"the scheme {driver!r}" if driver else "this"
            raise ValueError(f"{shown} is not a database URL plenary can use; write "
                             "sqlite+aiosqlite:///plenary.db or "
                             "postgresql+asyncpg://user:password@host:5432/dbname")
        return url

    @field_validator("staff_conversation")
    @classmethod
    def _conversation(cls, value: str | None) -> str | None:
        if value:
            parse_conversation(value)
        return value

    @field_validator("locale")
    @classmethod
    def _spoken(cls, value: str) -> str:
        if value not in locales():
            raise ValueError(f"{value!r} is not a language plenary speaks; write one of "
                             f"{', '.join(locales())} (a new one is a .po file in "
                             "bot/locales/po/)")
        return value

    @field_validator("timezone")
    @classmethod
    def _real_zone(cls, name: str | None) -> str | None:
        if name is not None:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown timezone {name!r}") from None
        return name

    @field_validator("digest_cron", "nudge_cron")
    @classmethod
    def _readable_schedule(cls, value: str | None) -> str | None:
        # Caught at start-up, not at the first scheduled run a week later.
        if value:
            parse_recurrence(value)
        return value

    @field_validator("reminder_grace")
    @classmethod
    def _lead_like(cls, value: str) -> str:
        parse_lead(value)
        return value

    @field_validator("channel_timezones", "channel_locales")
    @classmethod
    def _channel_map(cls, value: str, info: ValidationInfo) -> str:
        parse_channel_map(value, "timezone" if info.field_name == "channel_timezones"
                          else "locale")
        return value

    @property
    def grace(self) -> timedelta:
        return parse_lead(self.reminder_grace)

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def matrix_enabled(self) -> bool:
        return self.matrix_homeserver is not None

    def check_adapters(self) -> None:
        """Each configured platform must have what it needs to connect."""
        if self.slack_enabled and self.slack_signing_secret is None and not self.slack_app_token:
            raise ConfigError("PLENARY_SLACK_SIGNING_SECRET is required with "
                              "PLENARY_SLACK_BOT_TOKEN (or set PLENARY_SLACK_APP_TOKEN)")
        if self.matrix_enabled:
            if not self.matrix_user_id:
                raise ConfigError("PLENARY_MATRIX_USER_ID is required with "
                                  "PLENARY_MATRIX_HOMESERVER")
            if self.matrix_password is None and self.matrix_access_token is None:
                raise ConfigError("set PLENARY_MATRIX_PASSWORD or PLENARY_MATRIX_ACCESS_TOKEN")
        if self.mail_listen and not self.mail_accept:
            raise ConfigError("PLENARY_MAIL_ACCEPT is required with PLENARY_MAIL_LISTEN: "
                              "the senders (a@example.org), domains (@example.org) or "
                              "List-Ids (emm.lists.example.org) to take mail from")
        if self.staff_conversation:
            platform = parse_conversation(self.staff_conversation).platform
            running = {"slack": self.slack_enabled, "matrix": self.matrix_enabled,
                       "console": not (self.slack_enabled or self.matrix_enabled)}
            if not running.get(platform):
                raise ConfigError(f"PLENARY_STAFF_CONVERSATION: {platform} is not running "
                                  f"here; name a conversation on {self._platforms()}")

    def _platforms(self) -> str:
        names = [name for name, on in (("slack", self.slack_enabled),
                                       ("matrix", self.matrix_enabled)) if on]
        return " or ".join(names) or "the console (write console)"


def listen_address(value: str) -> tuple[str, int]:
    """`host:port` (`[::1]:8025` for IPv6); ValueError saying how to write it."""
    host, _, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{value!r} is not host:port; write e.g. 127.0.0.1:8025")
    return host, int(port)


def load_settings() -> Settings:
    """Build settings from the environment; any problem becomes one `ConfigError` line."""
    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "PLENARY_" + "_".join(str(part) for part in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
    settings.check_adapters()
    return settings
