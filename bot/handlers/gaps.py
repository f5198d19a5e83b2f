"""`gaps` (staff): per issue, who has spoken by stakeholder group, language and platform, and
what is missing. The same lens, compact, ends `digest`."""

from __future__ import annotations

from bot.commands import Args
from bot.handlers.language_fill import fill_languages
from bot.lens.build import find_gaps, read_lens, read_spoken
from bot.lens.text import compact_lines, full_lines
from bot.lens_values import Gaps, IssueLens
from bot.lookup import resolve_issue
from bot.messages import IncomingMessage, Reply
from bot.services import Services


async def lens_with_gaps(svc: Services, issues: tuple[int, ...] = ()
                         ) -> list[tuple[IssueLens, Gaps]]:
    settings, now = svc.settings, svc.clock.now()
    await fill_languages(svc)  # what was stored since the job's last tick (usually nothing)
    lenses = await read_lens(svc.storage, svc.plan, issues)
    return [(lens, find_gaps(lens, svc.plan, settings.lens_min_groups,
                             settings.lens_silent_days, now)) for lens in lenses]


async def show_gaps(msg: IncomingMessage, args: Args, svc: Services) -> Reply:
    issues = tuple(dict.fromkeys(resolve_issue(svc.plan, svc.tr, word).number
                                 for word in args.words))
    days = svc.settings.lens_silent_days
    lines = [f"**{svc.tr('lens.heading')}**"]
    for lens, gaps in await lens_with_gaps(svc, issues):
        lines += ["", *full_lines(lens, gaps, svc.plan, svc.tr, days)]
    return Reply("\n".join(lines), private=True)


async def compact_lens(svc: Services, issues: tuple[int, ...] = ()) -> str:
    """The lines `digest` ends with: only the issues (of those asked for) with a gap. Read
    without the counts it does not show (`read_spoken`): a digest's lens costs a fraction
    of the full one."""
    settings, now = svc.settings, svc.clock.now()
    await fill_languages(svc)
    found = [find_gaps(spoken, svc.plan, settings.lens_min_groups, settings.lens_silent_days,
                       now) for spoken in await read_spoken(svc.storage, svc.plan, issues)]
    return "\n".join(compact_lines(found, svc.plan, svc.tr, settings.lens_silent_days))
