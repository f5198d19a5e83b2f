"""The scheduled staff digest: each period's digest posted to the staff conversation and
mailed to the list address, exactly once per period, even across restarts and replicas."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.digest_values import DigestFilters
from bot.digests.build import build_digest
from bot.digests.chat_text import chat_limit, render_digest
from bot.digests.exports import Exporter, TooBig, export_attachment
from bot.digests.mail import build_message, mail_configured, send_message
from bot.digests.period import tagged_between
from bot.handlers.digest import timed_digest
from bot.handlers.gaps import compact_lens
from bot.messages import parse_conversation
from bot.recurrence import scheduled_setting
from bot.services import Services
from bot.storage.digest_store import Step
from bot.text import to_plain

log = logging.getLogger(__name__)

# A claim older than this died with its process (mid-send): another run may take it over.
LEASE = timedelta(minutes=15)


async def post_scheduled_digest(svc: Services) -> None:
    """Idempotent: works out the newest due period from `PLENARY_DIGEST_CRON` (a crontab or
    `every monday 09:00`, in the consultation's zone unless one is named) and the clock, and
    delivers each step (post, mail) that no run has delivered or is delivering."""
    settings = svc.settings
    if not settings.digest_cron:
        return
    recurrence, zone = scheduled_setting("PLENARY_DIGEST_CRON", settings.digest_cron,
                                         svc.zone)
    now = svc.clock.now()
    end = recurrence.last_at_or_before(now, zone)
    if end is None:
        return
    start = (recurrence.last_at_or_before(end - timedelta(minutes=1), zone)
             or end - timedelta(days=7))
    if settings.staff_conversation:
        await _deliver(svc, "post", start, end, now)
    if mail_configured(settings):
        await _deliver(svc, "mail", start, end, now)


async def _deliver(svc: Services, step: Step, start: datetime, end: datetime,
                   now: datetime) -> None:
    store = svc.storage.digests
    if not await store.claim_delivery(start, end, step, now, LEASE):
        return
    try:
        if step == "post":
            await _post(svc, start, end)
        else:
            await _mail(svc, start, end)
    except BaseException:
        await store.finish_delivery(end, step, None)  # the next wake-up tries again
        raise
    await store.finish_delivery(end, step, svc.clock.now())
    log.info("scheduled digest for the period ending %s: %s done", end.isoformat(), step)


async def _post(svc: Services, start: datetime, end: datetime) -> None:
    assert svc.settings.staff_conversation is not None
    where = parse_conversation(svc.settings.staff_conversation)  # validated at start
    scope = tagged_between(start, end, DigestFilters(), svc.tr, svc.zone)
    # Ended by the lens over all input so far, as `digest` is (two reads side by side).
    digest, lens = await asyncio.gather(timed_digest(svc, scope, end), compact_lens(svc))
    chat = render_digest(digest, svc.plan, svc.tr, svc.zone, chat_limit(where.platform))
    text = chat.text
    if not chat.complete:  # a room gets no attachment: say where the whole digest is
        instead = (svc.tr("digest.cut_posted") if mail_configured(svc.settings)
                   else svc.tr("digest.cut_ask", p=svc.settings.command_prefix))
        text = text.replace(svc.tr("digest.cut"), instead)
    await svc.chat.send(where, text + "\n\n" + lens,
                        idempotency_key=f"plenary-digest-{end:%Y%m%dT%H%M}")


async def _mail(svc: Services, start: datetime, end: datetime) -> None:
    scope = tagged_between(start, end, DigestFilters(), svc.tr, svc.zone)
    exporter = Exporter(svc.storage, svc.plan, svc.tr, svc.zone, svc.settings.lens_min_groups,
                        svc.settings.lens_silent_days)
    html: str | None
    # The HTML export has the lens in full; the plain text ends with it, compact.
    lens = await compact_lens(svc)
    try:
        markdown = (await export_attachment(exporter, "md", scope, end)).content.decode("utf-8")
        html = (await export_attachment(exporter, "html", scope, end)).content.decode("utf-8")
        markdown += "\n" + lens + "\n"
    except TooBig as exc:  # a mail server would refuse it: the summary, and where to look
        digest = await build_digest(svc.storage, svc.plan, scope, end)
        summary = render_digest(digest, svc.plan, svc.tr, svc.zone, chat_limit("mail"))
        markdown = to_plain(summary.text + "\n\n" + lens) + "\n\n" + exc.user_text + "\n"
        html = None
    subject = svc.tr("digest.mail_subject",
                     title=svc.tr("digest.title", title=svc.plan.title.get(svc.locale)),
                     period=scope.period)
    await send_message(svc.settings, build_message(svc.settings, subject, markdown, html, end))
