"""Logging set-up: today's text lines or one JSON object per line, never a secret in either.

Both formats go through the same two handler filters: the event's context (platform, room,
event id; see `bot.log_context`) is stamped on each record, and every record is redacted
(`bot.redaction`) before any formatter sees it. Filters sit on the handler, not on a logger,
because records of platform libraries (slack_sdk, nio, aiohttp) reach the root handler
through propagation and a logger's own filters would never see them.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Literal

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.log_context import current_log_context
from bot.redaction import Redactor
from bot.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CONTEXT_ATTRIBUTE = "plenary_context"
# A line per migration step or job run: kept to warnings even at DEBUG.
QUIET_LOGGERS = ("alembic", "apscheduler")


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        setattr(record, CONTEXT_ATTRIBUTE, dict(current_log_context()))
        return True


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, exception and stack text through `redact`."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact
        self._exceptions = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it; mask the raw parts
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self._redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._exceptions.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC, ISO 8601), level, logger, message, the
    event's context fields, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, CONTEXT_ATTRIBUTE, {}))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def secret_values(settings: Settings) -> list[str]:
    """Every secret the settings hold: each SecretStr field and the database password."""
    values = [value.get_secret_value() for value in
              (getattr(settings, name) for name in type(settings).model_fields)
              if isinstance(value, SecretStr)]
    try:
        password = make_url(settings.database_url).password
    except ArgumentError:
        password = None
    if password:
        values.append(str(password))
    return values


def make_handler(log_format: Literal["text", "json"], redactor: Redactor,
                 stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(redactor))
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(settings: Settings) -> None:
    """The root logger writes to standard error in `PLENARY_LOG_FORMAT` at
    `PLENARY_LOG_LEVEL`."""
    handler = make_handler(settings.log_format, Redactor(secret_values(settings)))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
