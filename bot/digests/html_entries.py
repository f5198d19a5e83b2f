"""The HTML export's entries: a batch of export rows as `<li>` items. Imports only the
escaping rules, so that an export's worker processes (`row_workers`) start small."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.digests.escaping import html_attribute, html_text, visible

if TYPE_CHECKING:
    from bot.storage.digest_queries import ExportRow


class Entries:
    """Renders rows as `<li>` entries; what repeats from row to row (the labels of a set of
    kinds, the local hour) is rendered once."""

    def __init__(self, local: LocalMinutes, source: str, kind_titles: dict[str, str],
                 text_limit: int) -> None:
        self._local = local
        self._source = source  # escaped already, as `kind_titles` are
        self._labels = _KindLabels(kind_titles)
        self._limit = text_limit  # characters quoted of each text

    def render(self, rows: list[ExportRow]) -> str:
        labels, local, limit = self._labels, self._local.of_stored, self._limit
        return "".join([
            f'<li><span class="who">{html_text(sender_name or sender_id)}'
            f"{_group(group)} · "
            f"{html_text(conversation_name or conversation_id)} · {local(posted_at)}"
            f"{self._link(permalink)}</span>{labels[kinds]}"
            f'<div class="text" dir="auto"{_lang(language)}>'
            f"{html_text(visible(text[:limit]))}</div></li>"
            for (_platform, conversation_id, _message_id, conversation_name, sender_id,
                 sender_name, text, posted_at, permalink, kinds, language, group) in rows])

    def _link(self, permalink: str | None) -> str:
        # Only web links become anchors: a `javascript:` permalink must not run.
        if permalink and permalink[:8].lower().startswith(("https://", "http://")):
            return f' <a href="{html_attribute(permalink)}" rel="noopener">{self._source}</a>'
        return ""


def _group(group: str | None) -> str:
    return f' <span class="group">({html_text(group)})</span>' if group else ""


def _lang(language: str | None) -> str:
    """The entry's own `lang` (screen readers pronounce it right); none when not known."""
    if not language or language == "und" or not language.isalpha():
        return ""
    return f' lang="{language}"'


class _KindLabels(dict[str | None, str]):
    """A row's kinds (keys joined by spaces, or None) → their label spans, each set of kinds
    rendered on first sight only."""

    _MAX_SETS = 10_000  # only kinds the plan does not know make more than a few

    def __init__(self, titles: dict[str, str]) -> None:
        super().__init__()
        self._titles = titles  # escaped already

    def __missing__(self, kinds: str | None) -> str:
        if len(self) >= self._MAX_SETS:
            self.clear()
        self[kinds] = spans = "".join([
            f'<span class="kind">{self._titles.get(kind) or html_attribute(kind)}</span>'
            for kind in (kinds or "").split(" ") if kind])
        return spans


class LocalMinutes:
    """`2019-10-02 10:05` in a zone, fast: the local hour is found once per hour of UTC time,
    and each row only adds its minutes. The cache holds one entry per hour of the period seen
    (at most `_MAX_HOURS`), not per input."""

    _MAX_HOURS = 50_000  # about five years

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        # UTC hour (`2019-10-02 14`) → its local hour with the colon (`2019-10-02 10:`), or
        # "" when the offset is not whole hours all through that hour.
        self._hours: dict[str, str] = {}

    def of_stored(self, stored: str) -> str:
        """The local minute of a row's UTC text (`2019-10-02 14:05:00.000000`)."""
        hour = self._hours.get(stored[:13])
        if hour is None:
            hour = self._local_hour(stored[:13])
        if hour:
            return hour + stored[14:16]
        return self.format(datetime.fromisoformat(stored).replace(tzinfo=UTC))

    def _local_hour(self, utc_hour: str) -> str:
        if len(self._hours) >= self._MAX_HOURS:
            self._hours.clear()
        start = datetime.fromisoformat(utc_hour + ":00").replace(tzinfo=UTC)
        offsets = {moment.astimezone(self._zone).utcoffset() or timedelta(0)
                   for moment in (start, start + timedelta(minutes=59))}
        # A zone whose offset changes inside this hour, or has minutes (India, Nepal,
        # Newfoundland), takes the exact way for each row.
        whole = len(offsets) == 1 and not offsets.pop() % timedelta(hours=1)
        local = self.format(start)[:14] if whole else ""
        self._hours[utc_hour] = local
        return local

    def format(self, instant: datetime) -> str:
        return instant.astimezone(self._zone).isoformat(" ", "minutes")[:16]
