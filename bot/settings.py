"""Deployment settings from `PLENARY_*` environment variables (and an optional `.env`)."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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

    # Reminders and scheduled digests.
    reminder_grace: str = "1h"
    tick_seconds: int = Field(default=30, ge=1, le=3600)
    digest_cron: str | None = None
    staff_conversation: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    digest_to: CommaList = ()
    channel_timezones: str = ""  # reminders per target: `slack:C1=Europe/Paris,console=UTC`
    channel_locales: str = ""  # `matrix:!room:server=fr`

    _split = field_validator("staff", "slack_channels", "matrix_rooms", "digest_to",
                             mode="before")(_split_commas)

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

    @field_validator("digest_cron")
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
