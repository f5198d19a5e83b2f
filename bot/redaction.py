"""Secrets out of log text: the configured secret values and the shapes tokens take."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"

# Shapes, for secrets plenary was not told (a token a login hands out, another app's token in
# a library's debug dump). Each keeps what identifies the line and masks what authenticates.
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"), MASK),  # Slack bot, user and app tokens
    (re.compile(r"\bxoxe\.xox[a-z]-[A-Za-z0-9-]+"), MASK),  # Slack refresh tokens
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), MASK),  # Slack app-level (Socket Mode) tokens
    (re.compile(r"\bsy[tr]_[A-Za-z0-9_]+"), MASK),  # Synapse access and refresh tokens
    # user:password@ in any URL (postgresql+asyncpg://plenary:PASS@db/plenary, smtp://…).
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(@)", re.IGNORECASE),
     rf"\g<1>{MASK}\g<2>"),
    # key=value, "key": "value" and headers: password, tokens, Authorization: Bearer ….
    (re.compile(r"""((?:\b|_)(?:password|passwd|secret|access_token|refresh_token|token|"""
                r"""authorization|api_key|ticket)["']?\s*[:=]\s*["']?(?:Bearer\s+|Basic\s+)?)"""
                r"""(?!\*\*\*)[^"'&\s,;}\]]+""", re.IGNORECASE), rf"\g<1>{MASK}"),
)


class Redactor:
    """Masks `secrets` (and the spellings they take in URLs and JSON) and the token shapes."""

    def __init__(self, secrets: Iterable[str]) -> None:
        spellings = {form for value in secrets if value for form in _spellings(value)}
        # Longest first, so that a secret containing another is masked whole.
        ordered = sorted(spellings, key=len, reverse=True)
        self._values = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if self._values is not None:
            text = self._values.sub(MASK, text)
        for pattern, replacement in _SHAPES:
            text = pattern.sub(replacement, text)
        return text


def _spellings(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1]}
