"""Commands as members type them: the name (in any language's word for it), its words, and
the route that runs it."""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.hashtags import fold
from bot.i18n import Translator, locales
from bot.messages import IncomingMessage, Reply
from bot.services import Services


@dataclass(frozen=True, slots=True)
class Args:
    """The words after a command's name; quotes group words ("ICANN66 session")."""

    words: tuple[str, ...]
    raw: str

    def __len__(self) -> int:
        return len(self.words)


Handler = Callable[[IncomingMessage, Args, Services], Awaitable[Reply | str | None]]


@dataclass(frozen=True, slots=True)
class Route:
    name: str  # what follows the prefix: `digest`, `forget-me`
    handler: Handler
    staff_only: bool = False
    # Only where the platform lets the bot manage its rooms (Matrix's leave and backfill).
    needs_room_control: bool = False

    @property
    def usage_key(self) -> str:
        return f"usage.{self.name}"


# A command word in any script (`digest`, `resumen`, `сводка`, `ملخص`, `摘要`).
_COMMAND = re.compile(r"^(?P<name>[^\W\d_][\w-]*)(?:\s+(?P<rest>.*))?$", re.DOTALL)
_FULL_WIDTH = {"!": "！"}  # Chinese and Japanese keyboards type the full-width mark


def split_command(text: str, prefix: str) -> tuple[str, str] | None:
    """(`name`, rest) when `text` is a command (`!digest #3`); None for ordinary talk."""
    wide = _FULL_WIDTH.get(prefix)
    if wide is not None and text.startswith(wide):
        text = prefix + text[len(wide):]
    if not text.startswith(prefix):
        return None
    match = _COMMAND.match(text[len(prefix):])
    if match is None:
        return None
    return match.group("name").lower(), (match.group("rest") or "").strip()


def parse_args(rest: str, mentions: Sequence[tuple[str, str]] = ()) -> Args:
    """`rest` in words; each person the platform marked as mentioned is the word `@id`
    (`@U0123`, `@alice:example.org`), whatever name the text shows for them (Slack's
    `@Alice Martin`, a Matrix pill's `Alice Martin`): commands name members by id."""
    text = _with_ids(rest, mentions)
    try:
        words = tuple(shlex.split(text))
    except ValueError:  # an unbalanced quote: take the words as they are
        words = tuple(text.split())
    return Args(words, rest)


def _with_ids(text: str, mentions: Sequence[tuple[str, str]]) -> str:
    for shown, member in sorted(mentions, key=lambda mention: -len(mention[0])):
        if not shown:
            continue
        word = member if member.startswith("@") else "@" + member
        # As a plain text join, never a template: an id is no `re` replacement pattern.
        text = word.join(re.split(rf"(?<!\S){re.escape(shown)}(?!\S)", text))
    return text


def command_aliases(names: Sequence[str]) -> dict[str, str]:
    """Each language's word for each command, folded (`ayuda`, `помощь`, `帮助`) → the
    command. English words win a clash; `test_catalogues` keeps the languages from having
    one word for two commands."""
    aliases = {name: name for name in names}
    for locale in locales():
        tr = Translator(locale)
        for name in names:
            aliases.setdefault(fold(tr(f"command.{name}")), name)
    return aliases
