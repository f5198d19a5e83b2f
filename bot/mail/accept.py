"""Who may deliver list mail here (`PLENARY_MAIL_ACCEPT`): a sender (`alice@example.org`),
a whole domain (`@example.org`) or a list (its List-Id, `emm.lists.example.org`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.mail.parse import MAX_KEY, MailPost


def is_accepted(rules: Sequence[str], post: MailPost, envelope_sender: str) -> bool:
    """Either the header sender or the envelope's (a list's own bounce address) may match."""
    senders = {post.sender_address, envelope_sender.strip("<>").lower()} - {""}
    for rule in (rule.strip().lower() for rule in rules):
        if rule.startswith("@"):
            if any(sender.endswith(rule) for sender in senders):
                return True
        elif "@" in rule:
            if rule in senders:
                return True
        elif post.list_id is not None and post.list_id == rule.strip("<>"):
            return True
    return False


def list_name(post: MailPost, default: str) -> str:
    """The list a post belongs to: its List-Id's list part (Mailman writes
    `<emm.lists.example.org>` for the list `emm`), the name `import --list` takes."""
    if post.list_id:
        return post.list_id.partition(".")[0][:MAX_KEY] or default
    return default
