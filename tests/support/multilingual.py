"""The four members of the end-to-end language tests: each writes in their language with a
native hashtag and runs commands in their own words; expectations come from the catalogues."""

from __future__ import annotations

from dataclasses import dataclass

from bot.handlers.consent import notice_text
from bot.handlers.languages import language_name
from bot.i18n import Translator
from bot.settings import Settings


@dataclass(frozen=True)
class Member:
    locale: str
    name: str
    text: str  # with a native hashtag of issue 3 (Efficient use of resources)

    @property
    def tr(self) -> Translator:
        return Translator(self.locale)

    def command(self, name: str, rest: str = "") -> str:
        """The command in the member's own words (`!اللغة ar`)."""
        return f"!{self.tr(f'command.{name}')} {rest}".rstrip()

    @property
    def choose_language(self) -> str:
        """`!lang` in their words, naming the language as people type it (`zh`, not zh_Hans)."""
        return self.command("lang", self.locale.split("_")[0])

    @property
    def lang_set(self) -> str:
        return self.tr("lang.set", language=language_name(self.locale))

    @property
    def help_title(self) -> str:
        return self.tr("help.title")

    def notice(self, settings: Settings) -> str:
        """The consent notice this member gets, in their language."""
        return notice_text(settings, self.tr)

    @property
    def my_data_caption(self) -> str:
        return self.tr("my_data.caption", count=1, forget=self.command("forget-me"))


MEMBERS = (
    # Arabic with harakat, an English word, digits and an emoji: mixed directions.
    Member("ar", "amal", "نُرِيدُ مَشُورَةً أَوْسَعَ في ICANN66 🎧 #موارد"),
    # Chinese: the hashtag right after the text, no space, and a full-width one.
    Member("zh_Hans", "li", "我们需要更多的翻译资金＃资源"),
    Member("ru", "ivan", "Нужно больше синхронных переводов #ресурсы"),
    Member("es", "lucia", "Compartir salas de reunión entre grupos 👩🏽‍💻 #recursos"),
)
