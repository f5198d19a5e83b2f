"""List mail as it arrives (from the listener in `bot.adapters.mail`): each message stored
exactly once, answered with the SMTP status the MTA acts on.

A 250 is given only once the post is durably stored, so a mail is never lost between the
MTA and the database: on any failure of ours the MTA is told 4xx and tries again later; a
redelivery finds the post's key taken and is a no-op. A message that can never be stored
(no sender, not accepted) is refused with 5xx, so the MTA bounces it rather than retrying.
"""

from __future__ import annotations

import logging
import secrets

from bot.mail.accept import is_accepted, list_name
from bot.mail.digest_ids import digest_period_end
from bot.mail.parse import MailPost, Malformed, parse_post
from bot.mail.records import post_record
from bot.services import Services
from bot.storage import SaveOutcome

log = logging.getLogger(__name__)


class MailIngest:
    def __init__(self, svc: Services) -> None:
        self._svc = svc

    async def receive(self, raw: bytes, envelope_sender: str) -> str:
        """The SMTP reply line for one delivered message; never raises."""
        svc = self._svc
        now = svc.clock.now()
        try:
            post = parse_post(raw, fallback_at=lambda: now)
        except Malformed as exc:
            return f"550 5.6.0 Not stored: this is not a mail message I can read ({exc})"
        except Exception:
            ref = secrets.token_hex(3)
            log.exception("could not read a delivered message (ref %s)", ref)
            return f"451 4.3.0 Could not read this message now (ref {ref}); try again later"
        if not is_accepted(svc.settings.mail_accept, post, envelope_sender):
            log.info("mail from %s (List-Id %s) refused: not in PLENARY_MAIL_ACCEPT",
                     post.sender_address, post.list_id)
            return ("550 5.7.1 Not accepted here: neither the sender nor the List-Id is "
                    "one plenary takes mail from")
        if digest_period_end(post.message_id) is not None:
            # The list hands plenary's own digest back to its subscribers, plenary too:
            # stored, every hashtag it quotes would count again as new input.
            return f"250 2.0.0 Not stored: <{post.message_id}> is plenary's own digest"
        try:
            outcome = await self._store(post)
        except Exception:
            ref = secrets.token_hex(3)
            log.exception("could not store the message %s (ref %s)", post.message_id, ref)
            return f"451 4.3.0 Could not store this message now (ref {ref}); try again later"
        if outcome is SaveOutcome.REPEAT:
            return f"250 2.0.0 Already stored <{post.message_id}>"
        return f"250 2.0.0 Stored <{post.message_id}>"

    async def _store(self, post: MailPost) -> SaveOutcome:
        svc = self._svc
        name = list_name(post, svc.settings.mail_list)
        record = post_record(post, name, svc.plan, svc.settings.list_archive_url)
        [outcome] = await svc.storage.mail.save_posts([record], svc.clock.now())
        if outcome.stored:
            log.info("list mail %s stored in %s (issues %s)", post.message_id, name,
                     ", ".join(map(str, record.tags.issues)) or "none")
        return outcome
