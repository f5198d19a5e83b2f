"""The bot's whole behaviour on one screen: every command route and every event handler."""

from __future__ import annotations

from typing import Final

from bot.commands import Route
from bot.handlers import (
    digest,
    gaps,
    groups,
    housekeeping,
    language_fill,
    languages,
    mail_links,
    milestones,
    moderation,
    my_data,
    nudges,
    privacy,
    rooms,
    scheduled_digest,
    status,
    tagging,
    usage,
    workplan_table,
)
from bot.messages import (
    IncomingMessage,
    InvitedToRoom,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    ReactionRemoved,
    TagsChosen,
)
from bot.reminders.job import send_due_reminders
from bot.router import EventHandler
from bot.scheduler import Job

ROUTES: Final = (
    Route("help", usage.show_help),
    Route("workplan", workplan_table.show_workplan),
    Route("milestones", milestones.list_upcoming),
    Route("milestone", milestones.manage_milestone, staff_only=True),
    Route("tag", tagging.tag_message),
    Route("untag", tagging.untag_message),
    Route("digest", digest.send_digest, staff_only=True),
    Route("hide", moderation.hide_input, staff_only=True),
    Route("status", status.show_status, staff_only=True),
    Route("lang", languages.choose_language),
    Route("iam", groups.declare_group),
    Route("gaps", gaps.show_gaps, staff_only=True),
    Route("my-data", my_data.send_my_data),
    Route("forget-me", privacy.forget_me),
    Route("link-email", mail_links.link_email),
    Route("forget-address", mail_links.forget_address, staff_only=True),
    Route("leave", rooms.leave_room, staff_only=True, needs_room_control=True),
    Route("backfill", rooms.backfill_room, staff_only=True, needs_room_control=True),
)

EVENTS: Final[dict[type, EventHandler]] = {
    # Plain messages arrive in runs (a sync batch, concurrent deliveries), stored together.
    IncomingMessage: tagging.record_messages,
    MessageEdited: tagging.record_edit,
    MessageDeleted: tagging.record_deletion,
    ReactionAdded: tagging.record_reaction,
    ReactionRemoved: tagging.withdraw_reaction,
    TagsChosen: tagging.apply_chosen_tags,
    InvitedToRoom: rooms.answer_invite,
}

JOBS: Final[tuple[Job, ...]] = (
    Job("milestone-reminders", send_due_reminders, every_seconds=lambda s: s.tick_seconds),
    Job("staff-digest", scheduled_digest.post_scheduled_digest,
        every_seconds=lambda s: s.tick_seconds if s.digest_cron else None),
    Job("detect-languages", language_fill.detect_languages,
        every_seconds=lambda s: s.tick_seconds),
    Job("silence-nudges", nudges.post_nudges,
        every_seconds=lambda s: s.tick_seconds if s.nudge_cron else None),
    Job("prune-handled-events", housekeeping.prune_handled_events,
        every_seconds=lambda s: 3600),
)
