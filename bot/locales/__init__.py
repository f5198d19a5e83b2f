"""The English sentences, the source of every catalogue; each feature keeps its own in a module.

Translations are gettext `.po` files in `po/` (see `bot.catalogues`)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.locales import (
    commands,
    consent,
    core,
    digests,
    encryption,
    inclusion,
    mail,
    matrix,
    reminders,
    slack,
    status,
)

_MODULES = (core, commands, slack, digests, reminders, matrix, status, inclusion, mail,
            encryption, consent)

ENGLISH: Mapping[str, str] = {key: text for module in _MODULES for key, text in module.en.items()}
