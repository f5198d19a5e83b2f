"""The language of an entry, detected with py3langid when its author declared none.

py3langid (a maintained fork of langid.py, 2024-2026 releases) ships its naive Bayes model in
its 4.6 MB wheel, works offline and needs only numpy; restricted to the consultation's
languages it tells the six UN languages apart on chat-length messages. lingua-language-
detector is as accurate but its wheel is 96 MB; langdetect has had no release since 2021
and is random unless seeded. Detection costs about 25 µs a message, most of what storing one
costs, so it runs in the `detect-languages` job rather than on the ingest path.
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from collections.abc import Sequence
from typing import Any

from bot.lens_values import UNDETERMINED

# A hashtag, a mention or a link says nothing of the language around it.
_NOISE = re.compile(r"[#＃@]\S+|https?://\S+|<[^>\s]+>")
MIN_LETTERS = 3  # `ok`, `+1`: too little to tell
MIN_CONFIDENCE = 0.5


def base_language(locale: str) -> str:
    """`zh_Hans` → `zh`, `es` → `es`: entries record the language, not the script variant."""
    return locale.replace("-", "_").split("_")[0].lower()


class LanguageDetector:
    """Thread-safe, so that the job can detect in a worker thread. The model is read once per
    process (see `_full_model`); each detector restricts its own copy to its languages."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._identifier: Any = None
        self._languages: tuple[str, ...] | None = None

    def detect(self, text: str, languages: Sequence[str]) -> str:
        """The most likely of `languages` (ISO 639-1), or `und` when unsure."""
        cleaned = _NOISE.sub(" ", text)
        if sum(ch.isalpha() for ch in cleaned) < MIN_LETTERS:
            return UNDETERMINED
        with self._lock:
            identifier = self._restricted(tuple(languages))
            if identifier is None:
                return UNDETERMINED
            language, confidence = identifier.classify(cleaned)
        return str(language) if confidence >= MIN_CONFIDENCE else UNDETERMINED

    def _restricted(self, languages: tuple[str, ...]) -> Any:
        if self._identifier is None:
            # A shallow copy shares the model's arrays, which py3langid only reads;
            # `set_languages` rebinds the copy's own attributes to slices of them.
            self._identifier = copy.copy(_full_model())
        if languages != self._languages:
            known = [code for code in languages if code in self._identifier.labels]
            if not known:
                return None
            self._identifier.set_languages(known)
            self._languages = languages
        return self._identifier


_MODEL_LOCK = threading.Lock()  # two first detections at once read the model once


def _full_model() -> Any:
    with _MODEL_LOCK:
        return _load_full_model()


@functools.cache
def _load_full_model() -> Any:
    """py3langid's identifier over all its languages, read from its wheel on first use (about
    a second of decompressing), then kept: every detector in the process copies it (there is
    one per `Services`, so one per test, or per bot when a process runs several)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
