"""The inclusion lens: counts by group, language and platform, its gaps, `gaps`, the digest's
compact lens, the detection job and the nudge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.handlers.gaps import compact_lens
from bot.handlers.language_fill import fill_languages
from bot.handlers.nudges import post_nudges
from bot.language_detection import LanguageDetector, base_language
from bot.lens.build import build_lens, find_gaps, read_lens
from bot.lens.text import compact_lines
from bot.lens_values import Dimension, LensCount, Tally
from bot.messages import Conversation, MessageRef
from bot.storage import Storage
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import FrozenClock, Harness

NOW = datetime(2019, 10, 20, 12, tzinfo=UTC)
SIX = ("ar", "zh", "en", "es", "fr", "ru")


def test_build_lens_sums_and_splits_each_dimension() -> None:
    counts = [LensCount(3, Dimension.GROUP, "GNSO", 3, 2), LensCount(3, Dimension.GROUP, "", 1, 1),
              LensCount(3, Dimension.LANGUAGE, "en", 3, 2),
              LensCount(3, Dimension.LANGUAGE, "es", 1, 1),
              LensCount(3, Dimension.PLATFORM, "slack", 4, 3),
              LensCount(9, Dimension.PLATFORM, "slack", 7, 7)]  # not asked for
    lens3, lens5 = build_lens(counts, {3: NOW}, [3, 5])
    assert (lens3.inputs, lens3.contributors, lens3.last_input_at) == (4, 3, NOW)
    assert lens3.by_group == {"GNSO": Tally(3, 2), "": Tally(1, 1)}
    assert lens3.by_language["es"] == Tally(1, 1)
    assert (lens5.inputs, lens5.contributors, lens5.by_group) == (0, 0, {})


def test_gaps_flag_few_groups_silence_and_missing_languages(plan: WorkPlan) -> None:
    counts = [LensCount(1, Dimension.GROUP, "GNSO", 2, 2), LensCount(1, Dimension.GROUP, "", 1, 1),
              LensCount(1, Dimension.LANGUAGE, "en", 2, 2),
              LensCount(1, Dimension.LANGUAGE, "fr", 1, 1),
              LensCount(1, Dimension.PLATFORM, "matrix", 3, 3)]
    lens, empty = build_lens(counts, {1: NOW - timedelta(days=15)}, [1, 2])
    gaps = find_gaps(lens, plan, min_groups=2, silent_days=14, now=NOW)
    assert gaps.few_groups == ("GNSO",)
    assert gaps.silent_since == NOW - timedelta(days=15)
    assert gaps.missing_languages == ("ar", "zh", "es", "ru")
    assert not gaps.never_spoken
    assert find_gaps(lens, plan, 1, 16, NOW).few_groups is None  # one group is enough
    assert find_gaps(lens, plan, 1, 16, NOW).silent_since is None
    nothing = find_gaps(empty, plan, 2, 14, NOW)
    assert nothing.never_spoken and nothing.missing_languages == ()


def test_the_detector_tells_the_six_un_languages_apart_on_short_messages() -> None:
    detector = LanguageDetector()
    said = {"مشاركة المترجمين بين الجلسات #wp3": "ar", "在会议之间共享口译员 #资源": "zh",
            "Share interpreters between sessions #wp3": "en",
            "Estoy de acuerdo con la propuesta": "es", "Je suis d'accord avec vous": "fr",
            "Разделить переводчиков между сессиями": "ru", "ok": "und", "+1 @bob": "und"}
    assert {text: detector.detect(text, SIX) for text in said} == said
    assert base_language("zh_Hans") == "zh"


async def _spoken(harness: Harness) -> None:
    await harness.say("!iam GNSO", author="alice")
    await harness.say("!lang es", author="bob")
    await harness.say("Share interpreters between sessions #wp3", author="alice")
    await harness.say("ok #wp3", author="bob")  # Spanish by bob's choice, not detected
    await harness.say("Разделить переводчиков между сессиями #wp3", author="dave")


async def test_the_job_records_each_entry_s_language_once(harness: Harness) -> None:
    await _spoken(harness)
    original = await harness.storage.message(MessageRef("test", "room-1", "m-5"))
    assert await fill_languages(harness.svc) == 3  # commands are not stored
    assert await fill_languages(harness.svc) == 0
    refs = await harness.storage.messages_for(3)
    entries = [await harness.storage.message(ref) for ref in refs]
    assert entries[-1] == original  # the text stays byte for byte
    pending = await harness.storage.inclusion.pending_languages(10)
    assert pending == []
    lens = (await harness.storage.inclusion.lens_counts([3]))[0]
    languages = {c.value: c.inputs for c in lens if c.dimension is Dimension.LANGUAGE}
    assert languages == {"en": 1, "es": 1, "ru": 1}
    groups = {c.value: c.contributors for c in lens if c.dimension is Dimension.GROUP}
    assert groups == {"GNSO": 1, "": 2}


async def test_gaps_shows_the_breakdown_and_the_digest_ends_with_the_lens(
        harness: Harness) -> None:
    await _spoken(harness)
    await fill_languages(harness.svc)
    await harness.say("!gaps 3", author="alice")
    assert harness.replies()[-1].startswith("Only staff can use !gaps.")
    await harness.say("!gaps 3", author="carol")
    answer = harness.replies()[-1]
    assert "By group: group not said: 2 inputs, 2 contributors · GNSO: 1 input, 1 contributor" \
        in answer
    assert ("By language: English: 1 input, 1 contributor · Spanish: 1 input, 1 contributor"
            " · Russian: 1 input") in answer
    assert "By platform: test: 3 inputs, 3 contributors" in answer
    assert "Gaps: only GNSO has spoken · no input in Arabic, Chinese, French" in answer
    await harness.say("!digest", author="carol")
    digest = [s.text for s in harness.sent if "Who is missing" in s.text][-1]
    assert "**3. " in digest.split("**Who is missing**")[1]
    assert "— no input yet" in digest.split("**Who is missing**")[1]


async def test_the_nudge_posts_once_per_period_across_restarts(
        plan: WorkPlan, storage: Storage) -> None:
    settings = make_settings(nudge_cron="every monday 09:00 UTC", channel_locales="console=fr",
                             lens_silent_days=7)
    clock = FrozenClock("2019-10-01T10:00:00+00:00")
    first = Harness(settings, plan, storage, clock)
    console = Conversation("console", "console")
    await first.say("Partager les interprètes #wp3", author="alice", where=console)
    clock.set("2019-10-14T09:05:00+00:00")  # a Monday, 13 days later
    await post_nudges(first.svc)
    await post_nudges(first.svc)
    restarted = Harness(settings, plan, storage, clock)
    await post_nudges(restarted.svc)
    nudges = [s for h in (first, restarted) for s in h.sent if s.text.startswith("Rien")]
    assert len(nudges) == 1
    assert nudges[0].text.startswith("Rien n'a été dit ici sur **1. ")
    assert "**3. " in nudges[0].text and "depuis 7 jours" in nudges[0].text
    clock.set("2019-10-21T09:05:00+00:00")  # the next period: once more
    await post_nudges(restarted.svc)
    assert len([s for s in restarted.sent if s.text.startswith("Rien")]) == 1


async def test_no_nudge_without_the_setting_or_where_nothing_is_silent(
        plan: WorkPlan, storage: Storage) -> None:
    clock = FrozenClock("2019-10-14T09:05:00+00:00")
    off = Harness(make_settings(), plan, storage, clock)
    await post_nudges(off.svc)
    assert off.sent == []
    on = Harness(make_settings(nudge_cron="every monday 09:00 UTC"), plan, storage, clock)
    console = Conversation("console", "console")
    for number in plan.issue_numbers():
        await on.say(f"idea #wp{number}", author="alice", where=console)
    await post_nudges(on.svc)
    assert [s for s in on.sent if "Nothing has been said" in s.text] == []


async def test_the_html_and_json_exports_carry_the_lens(harness: Harness) -> None:
    import json
    await _spoken(harness)
    await fill_languages(harness.svc)
    await harness.say("!digest all as json", author="carol")
    assert harness.sent[-1].attachment is not None
    issue3 = json.loads(harness.sent[-1].attachment.content)["issues"][2]
    assert issue3["lens"]["by_group"] == {"": {"inputs": 2, "contributors": 2},
                                          "GNSO": {"inputs": 1, "contributors": 1}}
    assert issue3["lens"]["gaps"]["few_groups"] == ["GNSO"]
    assert issue3["lens"]["gaps"]["missing_languages"] == ["ar", "zh", "fr"]
    assert {(e["author"], e["language"], e["group"]) for e in issue3["entries"]} == {
        ("Alice", "en", "GNSO"), ("Bob", "es", None), ("Dave", "ru", None)}
    await harness.say("!lang ar", author="carol")
    await harness.say("!digest all as html", author="carol")
    assert harness.sent[-1].attachment is not None
    page = harness.sent[-1].attachment.content.decode()
    assert page.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">')
    lens = page[page.index('<section id="lens">'):page.index('<section id="entries">')]
    assert "<caption>المساهمات حسب مجموعة أصحاب المصلحة</caption>" in lens
    assert '<th scope="col" class="col">GNSO</th>' in lens
    assert 'title="GNSO: 1 (' in lens and '<td class="n zero" title="GAC: 0">0</td>' in lens
    assert "لم تتحدث سوى GNSO" in lens  # the gaps in words before the tables
    assert '<div class="text" dir="auto" lang="ru">' in page
    assert 'Dave</span>' not in page and "Alice <span class=\"group\">(GNSO)</span>" in page


async def test_a_nudge_that_failed_to_post_is_tried_again(plan: WorkPlan, storage: Storage
                                                          ) -> None:
    clock = FrozenClock("2019-10-14T09:05:00+00:00")
    harness = Harness(make_settings(nudge_cron="every monday 09:00 UTC"), plan, storage, clock)
    real_send, failures = harness.chat.send, list[int]()

    async def flaky(*args: object, **kwargs: object) -> str:
        if not failures:
            failures.append(1)
            raise RuntimeError("the platform is down")
        return await real_send(*args, **kwargs)  # type: ignore[arg-type]

    harness.chat.send = flaky  # type: ignore[method-assign]
    await post_nudges(harness.svc)
    assert harness.sent == []
    await post_nudges(harness.svc)
    assert [s.text[:28] for s in harness.sent] == ["Nothing has been said here a"]


async def test_an_entry_keeps_the_language_it_was_given_when_its_author_changes_theirs(
        harness: Harness) -> None:
    """An entry's language is decided once, by the job (the author's declared one then,
    else detected): a later `lang` changes what the author reads, not their past entries."""
    await harness.say("Share interpreters between sessions #wp3", author="alice")
    await fill_languages(harness.svc)
    await harness.say("!lang es", author="alice")
    await harness.say("ok #wp3", author="alice")
    await fill_languages(harness.svc)
    counts, _ = await harness.storage.inclusion.lens_counts([3])
    assert {c.value: c.inputs for c in counts if c.dimension is Dimension.LANGUAGE} == {
        "en": 1, "es": 1}


async def test_the_digest_s_compact_lens_reads_the_same_gaps_without_the_counts(
        harness: Harness) -> None:
    await _spoken(harness)
    await harness.say("Um die Ecke #wp1 #wp5", author="erin")
    await fill_languages(harness.svc)
    await harness.say("!hide m-5 off topic", author="carol")  # dave's Russian, his only input
    counts, _ = await harness.storage.inclusion.lens_counts([3])
    assert {c.value for c in counts if c.dimension is Dimension.LANGUAGE} == {"en", "es"}
    settings = harness.svc.settings
    full = [find_gaps(lens, harness.plan, settings.lens_min_groups, settings.lens_silent_days,
                      harness.clock.now())
            for lens in await read_lens(harness.storage, harness.plan)]
    expected = "\n".join(compact_lines(full, harness.plan, harness.svc.tr,
                                        settings.lens_silent_days))
    assert any(gaps.few_groups for gaps in full) and any(g.missing_languages for g in full)
    assert await compact_lens(harness.svc) == expected
    assert await compact_lens(harness.svc, (3, 5)) == "\n".join(compact_lines(
        [gaps for gaps in full if gaps.issue in (3, 5)], harness.plan, harness.svc.tr,
        settings.lens_silent_days))
