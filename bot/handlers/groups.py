"""`iam`: a member says which stakeholder group they belong to; staff can set anyone's."""

from __future__ import annotations

from bot.commands import Args
from bot.messages import IncomingMessage
from bot.services import Services
from bot.text import code


def member_named(word: str, platform: str) -> str | None:
    """The member a staff command names: `@U0123` (Slack; a mention arrives so, see
    `parse_args`), `@alice:server` (Matrix), `@name` elsewhere; None when the word names no
    one."""
    word = word.strip().removeprefix("<").removesuffix(">")
    if not word.startswith("@") or len(word) < 2:
        return None
    return word if platform == "matrix" else word[1:]


def _choices(svc: Services) -> str:
    return ", ".join(svc.plan.groups)


async def declare_group(msg: IncomingMessage, args: Args, svc: Services) -> str:
    platform, prefix = msg.where.platform, svc.settings.command_prefix
    words = list(args.words)
    member = member_named(words[0], platform) if words else None
    if member is not None:
        await svc.require_staff(platform, msg.sender_id, f"{prefix}iam @member")
        words = words[1:]
    if not words:
        current = await svc.storage.inclusion.group_of(platform, member or msg.sender_id)
        if current is None:
            return svc.tr("iam.none", choices=_choices(svc), p=prefix)
        return svc.tr("iam.current", group=current, choices=_choices(svc), p=prefix)
    word = " ".join(words)
    group = svc.plan.find_group(word)
    if group is None:
        return svc.tr("iam.unknown", word=word[:60].replace("`", "'"), choices=_choices(svc))
    await svc.storage.inclusion.set_group(platform, member or msg.sender_id, group,
                                          msg.sender_id, svc.clock.now())
    if member is None:
        return svc.tr("iam.set", group=group)
    return svc.tr("iam.set_other", member=code(member), group=group)
