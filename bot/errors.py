"""The exceptions the core raises; `UserError`s carry text meant for the person who asked."""

from __future__ import annotations


class BotError(Exception):
    """Base of every error plenary raises on purpose."""


class UserError(BotError):
    """An expected problem with what a user asked; `user_text` is already translated."""

    def __init__(self, user_text: str) -> None:
        super().__init__(user_text)
        self.user_text = user_text


class UsageError(UserError):
    """Wrong arguments: the router adds the command's usage line."""


class NotFound(UserError):
    """An unknown issue, kind, milestone or message."""


class NotAllowed(UserError):
    """A staff-only command asked by someone who is not staff."""


class AdapterError(BotError):
    """A platform call failed; wraps the platform's own exception."""


class ConfigError(BotError):
    """Bad settings or work plan; `__main__` prints it on one line and exits 2."""
