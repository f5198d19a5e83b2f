"""The HTML export laid out by a real browser (headless Chromium): an Arabic digest's page is
right to left, and each entry takes its own direction from its text, as its reader sees it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fakes import Harness

pytestmark = pytest.mark.integration

ENGLISH = "Share meeting rooms between constituencies #wp3"
ARABIC = "نُرِيدُ مَشُورَةً أَوْسَعَ في ICANN66 #موارد"
# Run in the page once it is laid out: each element's computed direction, as data attributes
# that --dump-dom prints.
PROBE = ("<script>for (const el of [document.documentElement, document.body, "
         "...document.querySelectorAll('.text')]) "
         "el.dataset.direction = getComputedStyle(el).direction;</script>")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:  # scripts/test installs it; CI turns this skip into a failure
        pytest.skip("chromium is not installed")
    return found


def laid_out(html: bytes, folder: Path) -> str:
    page = folder / "digest.html"
    page.write_bytes(html.replace(b"</body>", PROBE.encode() + b"</body>"))
    run = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         f"--user-data-dir={folder / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60, check=True)
    return run.stdout


def directions(dom: str) -> dict[str, str]:
    """The entries' computed directions by their text, and the page's (`<html>`, `<body>`)."""
    found = {"html": re.search(r'<html[^>]*data-direction="(\w+)"', dom),
             "body": re.search(r'<body[^>]*data-direction="(\w+)"', dom)}
    shown = {name: match.group(1) for name, match in found.items() if match}
    for direction, text in re.findall(
            r'<div class="text" dir="auto"[^>]*data-direction="(\w+)"[^>]*>([^<]*)</div>', dom):
        shown[text] = direction
    return shown


async def export(harness: Harness, locale: str) -> bytes:
    await harness.say(f"!lang {locale}", author="carol")
    await harness.say("!digest all as html", author="carol")
    attachment = harness.sent[-1].attachment
    assert attachment is not None and attachment.filename.endswith(".html")
    return attachment.content


@pytest.mark.parametrize(("locale", "page"), [("ar", "rtl"), ("en", "ltr")])
async def test_the_page_takes_its_language_s_direction_each_entry_its_own(
        harness: Harness, tmp_path: Path, locale: str, page: str) -> None:
    await harness.say(ENGLISH, author="alice")
    await harness.say(ARABIC, author="amal")
    shown = directions(laid_out(await export(harness, locale), tmp_path))
    assert shown == {"html": page, "body": page, ENGLISH: "ltr", ARABIC: "rtl"}
