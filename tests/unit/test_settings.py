"""Settings: comma lists, validation in one line, and every setting documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _no_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own .env must not leak into these tests."""
    monkeypatch.chdir(tmp_path)


def test_comma_separated_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLENARY_STAFF", " U1, @carol:example.org ,,U3 ")
    assert load_settings().staff == ("U1", "@carol:example.org", "U3")


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLENARY_SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("PLENARY_SLACK_SIGNING_SECRET", "shh-secret")
    settings = load_settings()
    assert "very-secret" not in repr(settings) and "shh-secret" not in str(settings)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PLENARY_LOCALE", "de", "PLENARY_LOCALE: 'de' is not a language plenary speaks; write one "
     "of ar, en, es, fr"),
    ("PLENARY_TIMEZONE", "Moon/Base", "PLENARY_TIMEZONE: unknown timezone 'Moon/Base'"),
    ("PLENARY_REMINDER_GRACE", "soon", "PLENARY_REMINDER_GRACE: lead time 'soon'"),
    ("PLENARY_TICK_SECONDS", "0", "PLENARY_TICK_SECONDS: Input should be greater than or equal"),
    ("PLENARY_DIGEST_CRON", "every fortnight", "PLENARY_DIGEST_CRON: "),
    ("PLENARY_DATABASE_URL", "foo://bar", "PLENARY_DATABASE_URL: the scheme 'foo' is not"),
    ("PLENARY_DATABASE_URL", "sqlite:///plenary.db",
     "PLENARY_DATABASE_URL: the scheme 'sqlite' is not"),
    ("PLENARY_STAFF_CONVERSATION", "bogus",
     "PLENARY_STAFF_CONVERSATION: 'bogus' is not a conversation"),
    ("PLENARY_STAFF_CONVERSATION", "matrix:!staff:example.org",
     "PLENARY_STAFF_CONVERSATION: matrix is not running here"),
    ("PLENARY_MAIL_LISTEN", "8025", "PLENARY_MAIL_LISTEN: '8025' is not host:port; write e.g. "
     "127.0.0.1:8025"),
    ("PLENARY_MAIL_LISTEN", "127.0.0.1:8025", "PLENARY_MAIL_ACCEPT is required with "
     "PLENARY_MAIL_LISTEN"),
    ("PLENARY_LIST_ARCHIVE_URL", "https://a.org/{id}", "PLENARY_LIST_ARCHIVE_URL: {id} is not "
     "a field of the archive link; use {list}, {message_id}, {message_id_hash}, {month}"),
])
def test_a_bad_setting_is_one_line_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)


def test_the_mail_listener_s_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLENARY_MAIL_LISTEN", "[::1]:8025")
    monkeypatch.setenv("PLENARY_MAIL_ACCEPT", "emm.lists.example.org, @example.org")
    settings = load_settings()
    assert settings.mail_address == ("::1", 8025)
    assert settings.mail_accept == ("emm.lists.example.org", "@example.org")


def test_a_platform_needs_its_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLENARY_MATRIX_HOMESERVER", "https://matrix.example.org")
    with pytest.raises(ConfigError, match="PLENARY_MATRIX_USER_ID is required"):
        load_settings()


def test_every_setting_is_documented_in_the_example_env() -> None:
    example = (ROOT / "config" / "plenary.example.env").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?(PLENARY_[A-Z0-9_]+)=", example, re.MULTILINE))
    expected = {f"PLENARY_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set(), "document these in config/plenary.example.env"
    assert documented - expected == set(), "the example documents settings that do not exist"
