"""Slack payloads → neutral events: pure translation, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.adapters.slack.inbound import (
    Workspace,
    read_command,
    read_event,
    read_mention,
    readable_text,
    slack_time,
    team_of_request,
)
from bot.messages import (
    Conversation,
    IncomingMessage,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    ReactionRemoved,
)

US = Workspace(team_id="T0TEAM001", bot_user_id="U0BOT0001", bot_id="B0BOT0001",
               url="https://plenary-test.slack.com/")
NAMES = {"U0BOB0001": "bob"}
CHANNELS = {"C0GENERAL": "general"}
AT = datetime(2024, 6, 10, 6, 13, 20, 100, tzinfo=UTC)


def message(**fields: object) -> dict[str, object]:
    return {"type": "message", "user": "U0ALICE01", "text": "hi", "ts": "1718000000.000100",
            "channel": "C0GENERAL", **fields}


def test_slack_time_keeps_microseconds() -> None:
    assert slack_time("1718000000.000100") == AT


@pytest.mark.parametrize(("wire", "readable"), [
    ("<@U0BOB0001> look", "@bob look"),
    ("<@U0NOBODY1> look", "@U0NOBODY1 look"),
    ("<#C0GENERAL|wp3> please", "#wp3 please"),
    ("<!channel> <!here> <!everyone>", "@channel @here @everyone"),
    ("<!subteam^S0X|@staff> hi", "@staff hi"),
    ("<https://e.org|the site> and <https://e.org>", "the site (https://e.org) and https://e.org"),
    ("a &lt;b&gt; &amp;lt;", "a <b> &lt;"),
    ("<!date^1392734382^{date}|Feb 18>", "Feb 18"),
])
def test_wire_text_is_read_as_people_see_it(wire: str, readable: str) -> None:
    assert readable_text(wire, NAMES) == readable


def test_a_message_becomes_an_incoming_message_with_name_and_permalink() -> None:
    event = read_event(message(user="U0BOB0001"), US, NAMES, CHANNELS)
    assert event == IncomingMessage(Conversation("slack", "C0GENERAL"), "1718000000.000100",
                                    "U0BOB0001", "hi", AT)
    assert isinstance(event, IncomingMessage)
    assert event.sender_name == "bob" and event.where.name == "general"
    assert event.permalink == ("https://plenary-test.slack.com/archives/C0GENERAL/"
                               "p1718000000000100")


def test_a_thread_reply_replies_to_its_root_and_stays_in_the_thread() -> None:
    event = read_event(message(thread_ts="1717999999.000001"), US, NAMES, CHANNELS)
    assert isinstance(event, IncomingMessage)
    assert event.reply_to_id == "1717999999.000001"
    assert event.where.thread_id == "1717999999.000001"
    assert event.permalink is not None and event.permalink.endswith(
        "?thread_ts=1717999999.000001&cid=C0GENERAL")


def test_a_thread_root_is_not_a_reply() -> None:
    event = read_event(message(thread_ts="1718000000.000100"), US, NAMES, CHANNELS)
    assert isinstance(event, IncomingMessage)
    assert event.reply_to_id is None and event.where.thread_id is None


@pytest.mark.parametrize("fields", [
    {"user": "U0BOT0001"}, {"bot_id": "B0OTHER01"}, {"subtype": "bot_message"},
    {"subtype": "channel_join"}, {"subtype": "channel_topic"}])
def test_bots_and_housekeeping_are_ignored(fields: dict[str, object]) -> None:
    assert read_event(message(**fields), US, NAMES, CHANNELS) is None


def test_an_edit_is_keyed_on_the_original_ts() -> None:
    edit = message(subtype="message_changed", ts="1718000500.000001",
                   message={"user": "U0ALICE01", "text": "new #wp5", "ts": "1718000000.000100",
                            "edited": {"user": "U0ALICE01", "ts": "1718000400.000000"}},
                   previous_message={"text": "old", "ts": "1718000000.000100"})
    event = read_event(edit, US, NAMES, CHANNELS)
    assert event == MessageEdited(Conversation("slack", "C0GENERAL"), "1718000000.000100",
                                  "U0ALICE01", "new #wp5", slack_time("1718000400.000000"))


def test_an_edit_that_changes_no_text_is_ignored() -> None:
    same = message(subtype="message_changed", message={"user": "U0ALICE01", "text": "x",
                                                       "ts": "1"},
                   previous_message={"text": "x", "ts": "1"})
    assert read_event(same, US, NAMES, CHANNELS) is None


def test_a_deleted_thread_parent_is_a_deletion_not_an_edit() -> None:
    tombstone = message(subtype="message_changed", ts="1718000700.000000",
                        event_ts="1718000700.000000",
                        message={"subtype": "tombstone", "user": "USLACKBOT",
                                 "text": "This message was deleted.", "ts": "1718000000.000100",
                                 "thread_ts": "1718000000.000100"},
                        previous_message={"text": "#wp3 budget", "ts": "1718000000.000100"})
    assert read_event(tombstone, US, NAMES, CHANNELS) == MessageDeleted(
        Conversation("slack", "C0GENERAL"), "1718000000.000100", slack_time("1718000700.0"))


def test_a_deletion_names_the_deleted_ts() -> None:
    deletion = message(subtype="message_deleted", deleted_ts="1718000000.000100",
                       ts="1718000600.000000", event_ts="1718000600.000000")
    assert read_event(deletion, US, NAMES, CHANNELS) == MessageDeleted(
        Conversation("slack", "C0GENERAL"), "1718000000.000100", slack_time("1718000600.0"))


@pytest.mark.parametrize(("kind", "neutral"), [("reaction_added", ReactionAdded),
                                                ("reaction_removed", ReactionRemoved)])
def test_reactions_on_messages_keep_slacks_name(kind: str, neutral: type) -> None:
    event = {"type": kind, "user": "U0BOB0001", "reaction": "three",
             "item": {"type": "message", "channel": "C0GENERAL", "ts": "1718000000.000100"},
             "event_ts": "1718000000.000100"}
    translated = read_event(event, US, NAMES, CHANNELS)
    assert isinstance(translated, neutral)
    assert isinstance(translated, ReactionAdded | ReactionRemoved)
    assert translated.reaction == "three" and translated.message_id == "1718000000.000100"
    assert read_event({**event, "item": {"type": "file", "file": "F1"}}, US, NAMES,
                      CHANNELS) is None


@pytest.mark.parametrize(("command", "text", "expected"), [
    ("/plenary", "", "!help"), ("/plenary", "digest #3 since 7d", "!digest #3 since 7d"),
    ("/plenary", "Workplan", "!workplan"), ("/digest", "as csv", "!digest as csv"),
    ("/workplan", "", "!workplan"), ("/milestones", "", "!milestones")])
def test_slash_commands_become_command_text(command: str, text: str, expected: str) -> None:
    msg = read_command({"command": command, "text": text, "user_id": "U0ALICE01",
                        "channel_id": "C0GENERAL", "trigger_id": "123.456"}, "!", AT)
    assert msg.text == expected and msg.message_id == "command-123.456"
    assert msg.reply_to_id is None and msg.where.id == "C0GENERAL"


def test_tag_by_slash_command_points_at_the_linked_message() -> None:
    link = "https://plenary-test.slack.com/archives/C0OTHER01/p1718000000000100?thread_ts=1"
    msg = read_command({"command": "/plenary", "text": f"tag <{link}> 3 solution",
                        "user_id": "U0ALICE01", "channel_id": "C0GENERAL"}, "!", AT)
    assert msg.text == "!tag 3 solution"
    assert msg.where.id == "C0OTHER01" and msg.reply_to_id == "1718000000.000100"


@pytest.mark.parametrize(("text", "expected"), [
    ("<@U0BOT0001>", "!help"), ("<@U0BOT0001> thanks!", "!help"),
    ("<@U0BOT0001> milestones", "!milestones"), ("<@U0BOT0001> !digest #3", "!digest #3")])
def test_a_mention_runs_a_command_it_starts_with_or_shows_help(text: str, expected: str) -> None:
    mention = {"type": "app_mention", "user": "U0ALICE01", "text": text,
               "ts": "1718000000.000100", "channel": "C0GENERAL"}
    msg = read_mention(mention, US, "!", frozenset({"help", "milestones", "digest"}), CHANNELS)
    assert msg is not None and msg.text == expected
    assert msg.where.thread_id == "1718000000.000100"


@pytest.mark.parametrize(("body", "team"), [
    ({"type": "event_callback", "team_id": "T1", "event": {"team": "T2"}}, "T1"),
    ({"team_id": "T3", "command": "/plenary"}, "T3"),
    ({"type": "view_submission", "team": {"id": "T4"}, "user": {"team_id": "T5"}}, "T5"),
    ({"type": "message_action", "team": {"id": "T6"}, "user": {"id": "U1"}}, "T6"),
    ({"type": "url_verification"}, None)])
def test_the_team_of_a_request(body: dict[str, object], team: str | None) -> None:
    assert team_of_request(body) == team
