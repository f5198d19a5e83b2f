"""Raw Matrix events to neutral events: messages, replies, threads, edits, reactions, redactions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.matrix.inbound import (
    BadEvent,
    EncryptionOn,
    Reacted,
    Redacted,
    RoomView,
    strip_reply_fallback,
    translate,
)
from bot.adapters.matrix.roomstate import RoomState
from bot.messages import IncomingMessage, MessageEdited

ROOM = RoomView("!r:x", "Consultation", {"@alice:x": "Alice"})
STAMP = 1_572_000_000_000


def event(kind: str = "m.room.message", **content: Any) -> dict[str, Any]:
    return {"type": kind, "event_id": "$e1", "sender": "@alice:x", "origin_server_ts": STAMP,
            "content": content}


def test_a_text_message() -> None:
    msg = translate(event(msgtype="m.text", body="hello #wp3"), ROOM)
    assert isinstance(msg, IncomingMessage)
    assert (msg.where.id, msg.where.name, msg.message_id, msg.sender_id, msg.text) == (
        "!r:x", "Consultation", "$e1", "@alice:x", "hello #wp3")
    assert msg.sent_at == datetime.fromtimestamp(STAMP / 1000, UTC)
    assert msg.sender_name == "Alice"
    assert msg.permalink == "https://matrix.to/#/!r:x/$e1"
    assert msg.reply_to_id is None and msg.where.thread_id is None


def test_a_mention_pill_gives_the_user_behind_the_name_shown() -> None:
    # Element writes the display name in `body` and links the user in `formatted_body`.
    msg = translate(event(
        msgtype="m.text", body="!iam Bob Smith GNSO", format="org.matrix.custom.html",
        formatted_body='!iam <a href="https://matrix.to/#/%40bob%3Ax">Bob <b>Smith</b></a> GNSO'
                       ' and <a href="https://matrix.to/#/@carol:x?via=x">Carol &amp; co</a>'
                       ' in <a href="https://matrix.to/#/!r:x">the room</a>'), ROOM)
    assert isinstance(msg, IncomingMessage)
    assert msg.mentions == (("Bob Smith", "@bob:x"), ("Carol & co", "@carol:x"))
    plain = translate(event(msgtype="m.text", body="hello"), ROOM)
    assert isinstance(plain, IncomingMessage) and plain.mentions == ()


@pytest.mark.parametrize("content", [
    {"msgtype": "m.notice", "body": "a bot speaking"},  # other bots' notices
    {"msgtype": "m.image", "body": "cat.png"},
    {},  # a redacted original
])
def test_what_the_bot_does_not_read(content: dict[str, Any]) -> None:
    assert translate(event(**content), ROOM) is None


def test_a_reply_drops_the_quoted_fallback() -> None:
    raw = event(msgtype="m.text", body="> <@bob:x> the original\n> more\n\n!tag 3",
                **{"m.relates_to": {"m.in_reply_to": {"event_id": "$orig"}}})
    msg = translate(raw, ROOM)
    assert isinstance(msg, IncomingMessage)
    assert (msg.text, msg.reply_to_id) == ("!tag 3", "$orig")


def test_a_thread_message_keeps_its_thread_but_a_fallback_is_no_reply() -> None:
    raw = event(msgtype="m.text", body="in thread", **{"m.relates_to": {
        "rel_type": "m.thread", "event_id": "$root", "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$last"}}})
    msg = translate(raw, ROOM)
    assert isinstance(msg, IncomingMessage)
    assert (msg.where.thread_id, msg.reply_to_id) == ("$root", None)


def test_an_edit_reads_the_new_content() -> None:
    raw = event(msgtype="m.text", body="* fixed #wp4", **{
        "m.new_content": {"msgtype": "m.text", "body": "fixed #wp4"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"}})
    edit = translate(raw, ROOM)
    assert isinstance(edit, MessageEdited)
    assert (edit.message_id, edit.new_text, edit.sender_id) == ("$orig", "fixed #wp4", "@alice:x")


def test_a_reaction_keeps_its_own_id() -> None:
    raw = event("m.reaction", **{"m.relates_to": {"rel_type": "m.annotation",
                                                  "event_id": "$orig", "key": "3️⃣"}})
    reacted = translate(raw, ROOM)
    assert isinstance(reacted, Reacted)
    assert (reacted.reaction_id, reacted.event.message_id, reacted.event.reaction) == (
        "$e1", "$orig", "3️⃣")


@pytest.mark.parametrize("raw", [
    {**event("m.room.redaction", redacts="$orig")},  # room v11+: in the content
    {**event("m.room.redaction"), "redacts": "$orig"},  # older rooms: at the top level
])
def test_a_redaction_names_its_target(raw: dict[str, Any]) -> None:
    redacted = translate(raw, ROOM)
    assert isinstance(redacted, Redacted) and redacted.redacts == "$orig"


def test_encryption_turned_on() -> None:
    raw = {**event("m.room.encryption", algorithm="m.megolm.v1.aes-sha2"), "state_key": ""}
    assert translate(raw, ROOM) == EncryptionOn("!r:x")


@pytest.mark.parametrize("raw", [
    {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "x"}},
    {**event(msgtype="m.text", body="x"), "origin_server_ts": "yesterday"},
    event(msgtype="m.text", body=["not", "text"]),
    event(msgtype="m.text", body="* x", **{"m.relates_to": {"rel_type": "m.replace"}}),
    event("m.reaction", **{"m.relates_to": {"rel_type": "m.annotation", "event_id": "$x"}}),
    event("m.room.redaction"),
])
def test_malformed_events_are_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(BadEvent):
        translate(raw, ROOM)


def test_reply_fallback_only_strips_leading_quotes() -> None:
    assert strip_reply_fallback("no quote > here") == "no quote > here"
    assert strip_reply_fallback("> only a quote") == ""


def test_room_state_follows_names_members_and_encryption() -> None:
    room = RoomState("!r:x")
    room.apply({"type": "m.room.canonical_alias", "state_key": "", "content": {"alias": "#c:x"}})
    assert room.view.name == "#c:x"
    room.apply({"type": "m.room.name", "state_key": "", "content": {"name": "Consultation"}})
    room.apply({"type": "m.room.member", "state_key": "@bob:x",
                "content": {"membership": "join", "displayname": "Bob"}})
    assert room.view.name == "Consultation" and room.view.display_names == {"@bob:x": "Bob"}
    room.apply({"type": "m.room.member", "state_key": "@bob:x", "content": {"membership": "leave"}})
    assert room.view.display_names == {} and not room.is_joined("@bob:x")
    room.apply({"type": "m.room.encryption", "state_key": "", "content": {}})
    assert room.encrypted
