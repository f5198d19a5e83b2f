"""The app manifest an admin pastes agrees with what the adapter handles."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.adapters.slack.inbound import read_command
from bot.adapters.slack.shortcut import SHORTCUT_ID
from bot.handlers import ROUTES
from tests.conftest import ROOT
from tests.fakes import FrozenClock


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "config" / "slack-manifest.yaml").read_text())
    return loaded


def test_every_slash_command_reaches_a_route(manifest: dict[str, Any]) -> None:
    names = {route.name for route in ROUTES}
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands[0] == "/plenary"
    for command in commands[1:]:
        msg = read_command({"command": command, "text": ""}, "!", FrozenClock().now())
        assert msg.text.lstrip("!").split()[0] in names


def test_slash_commands_send_mentions_as_ids(manifest: dict[str, Any]) -> None:
    # Unescaped, `/plenary iam @alice GNSO` brings the name alone: staff could not name anyone.
    commands = manifest["features"]["slash_commands"]
    assert all(command["should_escape"] is True for command in commands)
    msg = read_command({"command": "/plenary", "text": "iam <@U0123|alice> GNSO"}, "!",
                       FrozenClock().now())
    assert (msg.text, msg.mentions) == ("!iam @alice GNSO", (("@alice", "U0123"),))


def test_the_shortcut_is_the_one_the_adapter_listens_to(manifest: dict[str, Any]) -> None:
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("message", SHORTCUT_ID)]


def test_every_request_goes_to_the_one_endpoint(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = {settings["event_subscriptions"]["request_url"],
            settings["interactivity"]["request_url"],
            *(c["url"] for c in manifest["features"]["slash_commands"])}
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")


def test_scopes_are_the_least_needed(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    # One line per Web API method or event the adapter uses (see the manifest's comments);
    # nothing broader such as chat:write.public, users:read.email or admin scopes.
    assert scopes == [
        "app_mentions:read", "channels:history", "channels:join", "channels:read",
        "chat:write", "commands", "files:write", "groups:history", "groups:read", "im:write",
        "reactions:read", "reactions:write", "usergroups:read", "users:read"]
    assert "user" not in manifest["oauth_config"]["scopes"]  # no user token at all
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.channels", "message.groups", "reaction_added",
        "reaction_removed"}
