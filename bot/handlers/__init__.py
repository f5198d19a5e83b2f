"""The bot's whole behaviour on one screen: every command route and every event handler."""

from __future__ import annotations

from typing import Final

from bot.handlers import digest, milestones, privacy, tagging, usage, workplan_table
from bot.messages import (
    IncomingMessage,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    ReactionRemoved,
)
from bot.router import EventHandler, Route

ROUTES: Final = (
    Route("help", usage.show_help),
    Route("workplan", workplan_table.show_workplan),
    Route("milestones", milestones.list_upcoming),
    Route("tag", tagging.tag_message),
    Route("untag", tagging.untag_message),
    Route("digest", digest.send_digest, staff_only=True),
    Route("forget-me", privacy.forget_me),
)

EVENTS: Final[dict[type, EventHandler]] = {
    IncomingMessage: tagging.record_message,
    MessageEdited: tagging.record_edit,
    MessageDeleted: tagging.record_deletion,
    ReactionAdded: tagging.record_reaction,
    ReactionRemoved: tagging.withdraw_reaction,
}
