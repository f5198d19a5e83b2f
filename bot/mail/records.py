"""A parsed post as the ledger keeps it: a message of platform `email` in the list's
channel, its excerpt as the text, its sender's address as the sender, its archive link."""

from __future__ import annotations

from bot.archive_links import archive_link
from bot.mail.digest_replies import answered_issues, replied_digest
from bot.mail.excerpt import own_words
from bot.mail.parse import MailPost
from bot.mail.post_tags import post_tags
from bot.messages import Conversation, IncomingMessage
from bot.storage.mail_store import PLATFORM, PostRecord
from bot.tags import TagSet
from bot.workplan import WorkPlan


def post_record(post: MailPost, list_name: str, plan: WorkPlan, archive_url: str | None,
                month: str | None = None) -> PostRecord:
    """The one record of `post`, whether it arrives by mail or from an archive import (a
    post stored by one and met again by the other is a repeat, so both must read it alike).
    A reply to a digest is input to the issue whose section it answers and is threaded
    under the digest; with no section clear it stays a comment on the digest."""
    words = own_words(post.body)
    text = _text(post, words)
    tags = post_tags(post.subject, words, plan)
    digest = replied_digest(post)
    if digest is not None:
        answered = answered_issues(post, plan)
        tags = TagSet(tuple(dict.fromkeys((*tags.issues, *answered.issues))),
                      tags.kinds or answered.kinds)
    where = Conversation(PLATFORM, list_name, post.thread_id or digest, name=list_name)
    msg = IncomingMessage(where, post.message_id, post.sender_address, text, post.sent_at,
                          reply_to_id=post.in_reply_to, sender_name=post.sender_name,
                          permalink=archive_link(archive_url, list_name, post.message_id,
                                                 post.sent_at, month))
    return PostRecord(msg, tags, post.subject, post.body, post.in_reply_to, post.references)


def _text(post: MailPost, words: str) -> str:
    """A thread's first post is known by its subject: it leads the excerpt. A reply's
    subject is the thread's again ("Re: ..."), so its own words stand alone."""
    if post.in_reply_to is None and post.subject and not _is_reply(post.subject):
        return f"{post.subject}\n\n{words}".strip()
    return words or post.subject


def _is_reply(subject: str) -> bool:
    head = subject.lower().lstrip()
    while head.startswith("["):  # "[emm] Re: ..."
        head = head.partition("]")[2].lstrip()
    return head.startswith(("re:", "aw:", "sv:", "ответ:", "رد:", "回复：", "回复:", "答复:"))
