"""`lang`: each member's language, kept in the database, for every answer meant for them."""

from __future__ import annotations

from bot.messages import Conversation
from bot.storage import Storage
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import Harness


async def test_lang_alone_says_which_and_lists_every_shipped_language(harness: Harness) -> None:
    await harness.say("!lang", author="alice")
    answer = harness.replies()[-1]
    assert answer.startswith("I answer you in English. Languages: العربية (ar), English (en), "
                             "español (es), français (fr)")
    assert "`!lang default`" in answer


async def test_a_member_s_language_holds_for_them_alone_and_across_restarts(
        harness: Harness, plan: WorkPlan, storage: Storage) -> None:
    await harness.say("!lang ES", author="alice")
    assert harness.replies()[-1] == "Listo: a partir de ahora te respondo en español."
    await harness.say("!frobnicate", author="alice")
    assert harness.replies()[-1].startswith("No conozco el comando `!frobnicate`")
    await harness.say("!frobnicate", author="bob")
    assert harness.replies()[-1].startswith("I don't know the command `!frobnicate`")
    restarted = Harness(harness.settings, plan, storage)
    await restarted.say("!lang", author="alice", message_id="after-restart")
    assert restarted.replies()[-1].startswith("Te respondo en español.")


async def test_a_language_by_its_own_name_default_and_unknown(harness: Harness) -> None:
    await harness.say("!lang العربية", author="alice")
    assert harness.replies()[-1] == "تم: سأرد عليك بـالعربية من الآن فصاعدًا."
    await harness.say("!lang default", author="alice")
    assert harness.replies()[-1] == ("Done: I answer you in your channel's language, "
                                     "English.")
    await harness.say("!lang klingon", author="alice")
    assert harness.replies()[-1].startswith("I don't speak `klingon`. Languages: العربية (ar)")


async def test_without_a_choice_the_channel_s_language_answers(
        plan: WorkPlan, storage: Storage) -> None:
    settings = make_settings(channel_locales="console=fr")
    harness = Harness(settings, plan, storage)
    console = Conversation("console", "console")
    await harness.say("!lang", author="alice", where=console)
    assert harness.replies()[-1].startswith("Je vous réponds en français.")
    await harness.say("!lang en", author="alice", where=console)
    assert harness.replies()[-1] == "Done: I answer you in English from now on."


async def test_forget_me_forgets_the_language_too(harness: Harness) -> None:
    await harness.say("!lang fr", author="alice")
    await harness.say("!forget-me", author="alice")
    assert await harness.storage.member_language("test", "alice") is None


async def test_command_words_work_in_every_language(harness: Harness) -> None:
    await harness.say("!ayuda", author="alice")
    assert harness.replies()[-1].startswith("**What I can do**")
    await harness.say("!مساعدة", author="alice")
    assert harness.replies()[-1].startswith("**What I can do**")
    await harness.say("！help", author="alice")  # a full-width exclamation mark
    assert harness.replies()[-1].startswith("**What I can do**")
    await harness.say("Pool the travel budget #wp3", author="bob")
    await harness.say("!Resumen all", author="carol")
    assert "Pool the travel budget" in harness.replies()[-1]
    await harness.say("!idioma fr", author="alice")
    assert harness.replies()[-1] == "C'est fait : je vous réponds désormais en français."


async def test_milestones_follow_the_member_s_language(harness: Harness) -> None:
    await harness.say("!lang fr", author="alice")
    await harness.say("!milestones", author="alice")
    assert harness.replies()[-1].startswith("**Prochaines étapes**")
