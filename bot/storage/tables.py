"""The models' tables, typed as `Table`, for Core statements."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from bot.storage.models import (
    AuditRow,
    ConsentNoticeRow,
    HandledEventRow,
    KindRow,
    MemberLanguageRow,
    MessageRow,
    ReactionRow,
    StateRow,
    TagRow,
)

MESSAGES = cast(Table, MessageRow.__table__)
TAGS = cast(Table, TagRow.__table__)
KINDS = cast(Table, KindRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
HANDLED_EVENTS = cast(Table, HandledEventRow.__table__)
STATE = cast(Table, StateRow.__table__)
REACTIONS = cast(Table, ReactionRow.__table__)
MEMBER_LANGUAGES = cast(Table, MemberLanguageRow.__table__)
CONSENT_NOTICES = cast(Table, ConsentNoticeRow.__table__)
