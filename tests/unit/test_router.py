"""The router's error boundary and command handling, through the real dispatch."""

from __future__ import annotations

import logging

import pytest

from bot.commands import Args, Route
from bot.handlers import EVENTS
from bot.messages import IncomingMessage
from bot.router import Router
from bot.services import Services
from tests.fakes import Harness


async def test_unknown_command_gets_one_friendly_line(harness: Harness) -> None:
    await harness.say("!frobnicate now")
    assert harness.replies() == [
        "I don't know the command `!frobnicate`. Write `!help` for the list."]


async def test_a_crashing_handler_answers_with_a_reference_and_logs_the_traceback(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    async def broken(msg: IncomingMessage, args: Args, svc: Services) -> str:
        raise RuntimeError("secret internals")

    router = Router((Route("boom", broken),), EVENTS, harness.svc)
    with caplog.at_level(logging.ERROR):
        await router.handle([IncomingMessage(harness.room, "x1", "alice", "!boom",
                                               harness.clock.now())])
    answer = harness.replies()[-1]
    assert answer.startswith("Sorry, that failed on my side (ref ")
    assert "secret internals" not in answer and "Traceback" not in answer
    ref = answer.split("(ref ")[1][:6]
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_command_delivered_twice_is_answered_once(harness: Harness) -> None:
    await harness.say("!help", message_id="cmd-1")
    await harness.say("!help", message_id="cmd-1")
    assert len(harness.replies()) == 1


async def test_commands_are_not_stored_as_input(harness: Harness) -> None:
    await harness.say("!workplan #wp3")
    assert await harness.storage.count_messages() == 0


async def test_replies_go_in_the_thread_of_the_command(harness: Harness) -> None:
    await harness.say("!help", message_id="q-7")
    assert harness.sent[-1].kind == "send" and harness.sent[-1].reply_to == "q-7"


async def test_a_lost_answer_is_logged_and_does_not_fail_the_command(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.chat.fail_sends = True
    with caplog.at_level(logging.ERROR):
        await harness.say("!help")
    assert any("could not answer" in r.getMessage() for r in caplog.records)


async def test_storage_failure_of_plain_input_reaches_the_adapter(harness: Harness) -> None:
    await harness.storage.db.engine.dispose()
    async with harness.storage.db.engine.begin() as conn:
        await conn.exec_driver_sql("DROP TABLE tags")
    with pytest.raises(Exception, match="tags"):
        await harness.say("#wp3 must not be acknowledged")
    assert [s for s in harness.sent if s.kind == "react"] == []


async def test_french_answers_when_the_locale_is_fr(harness: Harness) -> None:
    french = Harness(harness.settings.model_copy(update={"locale": "fr"}), harness.plan,
                     harness.storage)
    await french.say("!frobnicate")
    assert french.replies() == [
        "Je ne connais pas la commande `!frobnicate`. Écrivez `!help` pour la liste."]


async def test_a_backtick_in_a_typed_word_cannot_break_out_into_markup(harness: Harness) -> None:
    await harness.say("!digest since x`[pwn](https://evil.example)`", author="carol")
    answer = harness.replies()[-1]
    assert answer.startswith("`x'[pwn](https://evil.example)'` is not a date I can read")
    from bot.text import parse_line

    assert [span.kind for span in parse_line(answer.splitlines()[0])] == ["code", "text"]


@pytest.mark.parametrize("command", ["!digest since 99999999999d", "!digest until 9999999999w"])
async def test_absurdly_large_numbers_get_a_friendly_line(harness: Harness, command: str) -> None:
    await harness.say(command, author="carol")
    assert "is not a date I can read" in harness.replies()[-1]
