"""Finding hashtags in message text and comparing them the way people expect."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A hashtag starts after a space or punctuation (not inside a URL fragment or a word such as
# "C#") and runs over letters, digits, '_' and '-'. \w is Unicode-aware, so accents and
# full-width forms are captured and folded afterwards.
_HASHTAG = re.compile(r"(?<![^\s(\[{,;:!?\"'«])[#＃](\w[\w-]*)")


@lru_cache(maxsize=8192)  # people reuse a small vocabulary of hashtags; folding is costly
def fold(word: str) -> str:
    """Fold case, accents and width: `#Ressources`, `#RESSOURCES`, `#ressources` agree."""
    wide_folded = unicodedata.normalize("NFKC", word).casefold()
    decomposed = unicodedata.normalize("NFKD", wide_folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def find_hashtags(text: str) -> list[str]:
    """The folded hashtags of `text`, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _HASHTAG.finditer(text):
        seen.setdefault(fold(match.group(1).rstrip("-")), None)
    return list(seen)
