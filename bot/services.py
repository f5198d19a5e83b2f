"""Services: the frozen bundle of everything handlers and jobs need, built once in `app`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from bot.background import Background
from bot.errors import NotAllowed
from bot.health import Health
from bot.i18n import Translator, locales
from bot.language_detection import LanguageDetector
from bot.messages import Conversation
from bot.platform_status import StatusReporter
from bot.ports import Chat, Clock, StaffDirectory
from bot.room_control import RoomControl
from bot.settings import Settings
from bot.storage import Storage
from bot.target_settings import locale_for
from bot.targets import target_of
from bot.text import quiet
from bot.workplan import WorkPlan


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    plan: WorkPlan
    storage: Storage
    chat: Chat
    clock: Clock
    staff: StaffDirectory
    tr: Translator
    rooms: RoomControl | None = None
    health: Health = field(default_factory=Health)
    platforms: tuple[StatusReporter, ...] = ()  # for `status`
    # Its model loads on first use, once per process (the services are built once).
    detector: LanguageDetector = field(default_factory=LanguageDetector)
    # What handlers start and do not wait for (consent notices); shared by every copy.
    background: Background = field(default_factory=Background)

    @property
    def zone(self) -> ZoneInfo:
        return display_zone(self.settings, self.plan)

    @property
    def locale(self) -> str:
        return self.tr.locale

    def manages_rooms(self, platform: str) -> bool:
        """Whether the bot can leave and back-fill rooms on `platform` (Matrix)."""
        return self.rooms is not None and self.rooms.supports(platform)

    async def speaking_to(self, where: Conversation, user_id: str) -> Services:
        """These services in the member's language: theirs (`lang`), else their channel's
        (`PLENARY_CHANNEL_LOCALES`), else `PLENARY_LOCALE`."""
        chosen = await self.storage.member_language(where.platform, user_id)
        return self.in_language(self.member_locale(where, chosen))

    def member_locale(self, where: Conversation, chosen: str | None) -> str:
        """The member's `chosen` language (`lang`) if plenary speaks it, else the channel's."""
        return chosen if chosen in locales() else locale_for(self.settings, target_of(where))

    def in_language(self, locale: str) -> Services:
        return self if locale == self.tr.locale else replace(self, tr=Translator(locale))

    async def require_staff(self, platform: str, user_id: str, what: str) -> None:
        if not await self.staff.is_staff(platform, user_id):
            contact = self.settings.staff_contact
            raise NotAllowed(self.tr("error.staff_only_ask", what=what, contact=quiet(contact))
                             if contact else self.tr("error.staff_only", what=what))


def display_zone(settings: Settings, plan: WorkPlan) -> ZoneInfo:
    """Where dates are shown: `PLENARY_TIMEZONE` when given, else the plan's own timezone."""
    return ZoneInfo(settings.timezone) if settings.timezone else plan.zone


class AllowList:
    """Staff named in `PLENARY_STAFF`: platform user ids, checked exactly."""

    def __init__(self, user_ids: tuple[str, ...]) -> None:
        self._user_ids = frozenset(user_ids)

    async def is_staff(self, platform: str, user_id: str) -> bool:
        return user_id in self._user_ids
