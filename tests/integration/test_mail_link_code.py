"""`link-email` mails its code through a real SMTP server on loopback; typing it back links
the address, and `forget-me` then erases that address's list posts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.mail.parse import parse_post
from bot.mail.records import post_record
from bot.workplan import WorkPlan
from tests.fakes import FrozenClock
from tests.integration.test_digest_email import (  # noqa: F401  (the fixture)
    Inbox,
    close_harness,
    digest_settings,
    open_harness,
    smtp_server,
)
from tests.support.mail_archives import post

pytestmark = pytest.mark.integration


async def test_the_mailed_code_links_the_address(tmp_path: Path, plan: WorkPlan,
                                                 smtp_server: tuple[Inbox, int]  # noqa: F811
                                                 ) -> None:
    inbox, port = smtp_server
    clock = FrozenClock()
    harness, engine = await open_harness(digest_settings(tmp_path, port), plan, clock,
                                         create=True)
    parsed = parse_post(post("a1@example.org", sender="alice@example.org"),
                        fallback_at=clock.now)
    await harness.storage.mail.save_posts([post_record(parsed, "emm", plan, None)],
                                          clock.now())
    await harness.say("!link-email Alice@Example.org")
    assert harness.sent[-1].kind == "private"
    assert harness.sent[-1].text.startswith("I mailed a code to alice@example.org.")
    await inbox.wait_for(1)
    [mail] = inbox.messages
    assert mail["To"] == "alice@example.org" and mail["Auto-Submitted"] == "auto-generated"
    content = mail.get_content()
    assert isinstance(content, str)
    found = re.search(r"!link-email confirm (\d{8})", content)
    assert found is not None
    await harness.say("!link-email alice@example.org")  # again at once: no second mail
    assert harness.sent[-1].text.startswith("I mailed you a code less than 10 minutes ago")
    await harness.say(f"!link-email confirm {found.group(1)}")
    assert harness.sent[-1].text.startswith("Linked: alice@example.org.")
    await harness.say("!forget-me")
    assert harness.sent[-1].text == "Done: I erased 1 message of yours and its tags."
    assert await harness.storage.mail.post("emm", "a1@example.org") is None
    assert len(inbox.messages) == 1
    await close_harness(harness, engine)
