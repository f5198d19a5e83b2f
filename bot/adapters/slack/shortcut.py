"""The "Tag to work-plan issue" message shortcut: its modal, and reading what was picked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.inbound import PLATFORM, readable_text
from bot.adapters.slack.render import escape
from bot.i18n import Translator
from bot.messages import MessageRef
from bot.tags import TagSet
from bot.text import excerpt
from bot.workplan import WorkPlan

SHORTCUT_ID = "tag_to_issue"
MODAL_ID = "tag_to_issue_modal"
ISSUES_BLOCK, ISSUES_ACTION = "issues", "issues_picked"
KIND_BLOCK, KIND_ACTION = "kind", "kind_picked"
MAX_LABEL = 75  # Block Kit option text limit


def build_modal(plan: WorkPlan, tr: Translator, channel_id: str, ts: str, text: str
                ) -> dict[str, Any]:
    """The modal opened from a message: issues (several), then a kind (optional)."""
    locale = tr.locale
    issues = [_option(issue.label(locale), str(issue.number)) for issue in plan.issues]
    kinds = [_option(kind.title.get(locale), kind.key) for kind in plan.kinds]
    # `text` is Slack's wire text (already escaped, mentions as <@U…>): read it as people do,
    # then escape it once for the modal.
    quoted = escape(excerpt(readable_text(text, {}), 200)) or "…"
    return {
        "type": "modal",
        "callback_id": MODAL_ID,
        "private_metadata": json.dumps({"channel": channel_id, "ts": ts}),
        "title": _plain(tr("slack.modal.title")[:24]),
        "submit": _plain(tr("slack.modal.submit")),
        "close": _plain(tr("slack.modal.cancel")),
        "blocks": [
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": tr("slack.modal.message", excerpt=quoted)}]},
            {"type": "input", "block_id": ISSUES_BLOCK, "label": _plain(tr("slack.modal.issues")),
             "element": {"type": "multi_static_select", "action_id": ISSUES_ACTION,
                         "options": issues}},
            {"type": "input", "block_id": KIND_BLOCK, "optional": True,
             "label": _plain(tr("slack.modal.kind")),
             "element": {"type": "static_select", "action_id": KIND_ACTION,
                         "options": kinds}},
        ],
    }


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(label: str, value: str) -> dict[str, Any]:
    shown = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
    return {"text": _plain(shown), "value": value}


@dataclass(frozen=True, slots=True)
class Submission:
    ref: MessageRef
    tags: TagSet


def read_submission(view: Mapping[str, Any], plan: WorkPlan) -> Submission | None:
    """The message and tags a submitted modal names; None if the view is not ours."""
    try:
        where = json.loads(str(view.get("private_metadata") or ""))
        ref = MessageRef(PLATFORM, str(where["channel"]), str(where["ts"]))
    except (ValueError, KeyError, TypeError):
        return None
    values = (view.get("state") or {}).get("values") or {}
    picked = (values.get(ISSUES_BLOCK) or {}).get(ISSUES_ACTION) or {}
    numbers: dict[int, None] = {}
    for option in picked.get("selected_options") or ():
        value = str(option.get("value", ""))
        if value.isdigit() and plan.issue_by_number(int(value)) is not None:
            numbers.setdefault(int(value), None)
    kind_option = ((values.get(KIND_BLOCK) or {}).get(KIND_ACTION) or {}).get("selected_option")
    kind = plan.find_kind(str(kind_option.get("value", ""))) if kind_option else None
    kinds = (kind.key,) if kind is not None else ()
    return Submission(ref, TagSet(tuple(numbers), kinds))
