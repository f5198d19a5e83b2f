"""`lang`: a member chooses the language plenary answers them in, kept in the database."""

from __future__ import annotations

from babel import Locale

from bot.commands import Args
from bot.hashtags import fold
from bot.i18n import Translator, locales
from bot.messages import IncomingMessage
from bot.services import Services
from bot.target_settings import locale_for
from bot.targets import target_of

DEFAULT = "default"


def language_name(locale: str) -> str:
    """The language as its speakers write it: `español`, `العربية`, `中文 (简体)`."""
    return Locale.parse(locale).get_display_name(locale) or locale


def _choices() -> str:
    return ", ".join(f"{language_name(code)} ({code})" for code in locales())


def find_language(word: str) -> str | None:
    """`es`, `ES`, `zh` / `zh-Hans` (Chinese is shipped as `zh_Hans`), or a language's own
    name (`español`, `русский`)."""
    wanted = fold(word.replace("-", "_"))
    for code in locales():
        if wanted in (fold(code), fold(code.split("_")[0]), fold(language_name(code))):
            return code
    return None


async def choose_language(msg: IncomingMessage, args: Args, svc: Services) -> str:
    platform, prefix = msg.where.platform, svc.settings.command_prefix
    if not args.words:
        return svc.tr("lang.current", language=language_name(svc.locale), choices=_choices(),
                      p=prefix)
    word = " ".join(args.words)
    now = svc.clock.now()
    if fold(word) == DEFAULT:
        await svc.storage.set_member_language(platform, msg.sender_id, None, now)
        fallback = locale_for(svc.settings, target_of(msg.where))
        return Translator(fallback)("lang.default", language=language_name(fallback))
    chosen = find_language(word)
    if chosen is None:
        return svc.tr("lang.unknown", word=word, choices=_choices())
    await svc.storage.set_member_language(platform, msg.sender_id, chosen, now)
    return Translator(chosen)("lang.set", language=language_name(chosen))  # in the new one
