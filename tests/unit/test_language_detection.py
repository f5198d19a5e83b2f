"""The detector reads py3langid's model once per process, and each detector keeps its own
restriction to its consultation's languages."""

from __future__ import annotations

import pytest
from py3langid.langid import LanguageIdentifier

from bot import language_detection
from bot.language_detection import LanguageDetector

SPANISH = "Estoy de acuerdo con la propuesta"


def test_the_model_is_read_once_for_every_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    model = language_detection._full_model()  # read by an earlier test, else now
    reads: list[object] = []

    def counted(cls: type[LanguageIdentifier], *args: object, **kwargs: object) -> object:
        reads.append(args)
        return model  # not read again: it takes a third of a second

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", classmethod(counted))
    language_detection._load_full_model.cache_clear()
    first, second = LanguageDetector(), LanguageDetector()
    assert first.detect(SPANISH, ("en", "es")) == "es"
    assert second.detect(SPANISH, ("en", "es")) == "es"
    assert len(reads) == 1


def test_each_detector_keeps_its_own_languages() -> None:
    spanish_too, without_spanish = LanguageDetector(), LanguageDetector()
    assert spanish_too.detect(SPANISH, ("en", "es", "fr")) == "es"
    assert without_spanish.detect(SPANISH, ("ru", "zh")) != "es"
    assert spanish_too.detect(SPANISH, ("en", "es", "fr")) == "es"
