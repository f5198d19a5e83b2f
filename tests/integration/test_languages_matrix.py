"""End to end on a real Synapse: members writing Arabic, Chinese, Russian and Spanish tag with
native hashtags and get answers in their language, Arabic ones marked right to left; each is
told once, in a direct room, what is kept; the text is stored byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.matrix.render import RLM
from bot.text import to_plain
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.support.matrix_bot import (
    MatrixBot,
    accept_direct_room,
    create_room,
    join,
    notices_from,
    say,
    wait_notice,
)
from tests.support.matrix_fixtures import Login, MakeUser, wait_until
from tests.support.multilingual import MEMBERS
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.integration


async def test_members_in_four_languages_on_matrix(
        synapse: SynapseServer, make_user: MakeUser, login: Login, plan: WorkPlan,
        tmp_path: Path) -> None:
    bot_user, carol_user = make_user("bot"), make_user("carol")
    bot = MatrixBot(synapse, bot_user.user_id, bot_user.password, tmp_path / "bot.db", plan,
                    staff=(carol_user.user_id,), consent_notice=True)
    carol = await login(synapse, carol_user.user_id, carol_user.password)
    users = {m.locale: make_user(m.name) for m in MEMBERS}
    clients = {locale: await login(synapse, u.user_id, u.password) for locale, u in users.items()}
    adapter = await bot.start()
    try:
        room_id = await create_room(carol, bot.user_id, *(u.user_id for u in users.values()))
        for client in clients.values():
            await join(client, room_id)
        await wait_until(lambda: room_id in adapter.keeper.subscribed, 15, "bot follows the room")
        settings = make_settings(consent_notice=True)
        for member in MEMBERS:
            client, rtl = clients[member.locale], member.locale == "ar"
            lead = RLM if rtl else ""
            await say(client, room_id, member.choose_language)
            answer = await wait_notice(client, room_id, bot.user_id, member.lang_set)
            assert answer["content"]["body"] == lead + member.lang_set
            if rtl:
                assert answer["content"]["formatted_body"].startswith(f'{RLM}<div dir="rtl">')

            event_id = await say(client, room_id, member.text)
            stored = await bot.wait_stored(room_id, event_id)
            assert stored.text.encode("utf-8") == member.text.encode("utf-8")
            await bot.wait_tags(room_id, event_id, (3,))
            direct = await accept_direct_room(client, bot.user_id)
            notice = lead + to_plain(member.notice(settings))
            told = await wait_notice(client, direct, bot.user_id, notice)
            assert told["content"]["body"] == notice and told["content"]["m.mentions"] == {}
            assert ('<div dir="rtl">' in told["content"]["formatted_body"]) == rtl

            await say(client, room_id, member.text + " 2")
            await say(client, room_id, member.command("help"))
            helped = await wait_notice(client, room_id, bot.user_id, f"**{member.help_title}**")
            assert helped["content"]["body"].startswith(f"{lead}**{member.help_title}**")
            assert ('<div dir="rtl">' in helped["content"]["formatted_body"]) == rtl
            await say(client, room_id, member.command("my-data"))
            caption = member.tr("my_data.caption", count=2, forget=member.command("forget-me"))
            await wait_notice(client, direct, bot.user_id, to_plain(caption))
            in_direct = [n for n in await notices_from(client, direct, bot.user_id)
                         if n["content"]["body"] == notice]
            assert len(in_direct) == 1, member.locale  # two messages, one notice
    finally:
        await bot.stop()
