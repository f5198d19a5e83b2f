"""Finding hashtags in message text and comparing them the way people expect."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining marks inside a word: Latin accents typed as marks and Arabic harakat (fatha,
# shadda...), which `\w` does not match; folded away afterwards.
_MARKS = ("\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670"
          "\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed")
# Chinese and Japanese are written without spaces: a hashtag may follow a character or a
# full-width punctuation mark directly (我们需要#资源).
_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_TATWEEL = "\u0640"  # Arabic elongation: a stretched letter is the same word
# A hashtag starts after a space, punctuation (Arabic's too) or a CJK character, not inside a
# URL fragment or a word such as "C#", and runs over letters, digits, marks, '_' and '-'.
# \w is Unicode-aware, so accents and full-width forms are captured and folded afterwards.
_HASHTAG = re.compile(
    rf"(?<![^\s(\[{{,;:!?\"'«\u060c\u061b\u061f{_CJK}])[#＃]([\w{_MARKS}][\w{_MARKS}-]*)")
_CJK_CHAR = re.compile(f"[{_CJK}]")


@lru_cache(maxsize=8192)  # people reuse a small vocabulary of hashtags; folding is costly
def fold(word: str) -> str:
    """Fold case, accents, width, Arabic harakat and tatweel: `#Ressources`, `#RESSOURCES`,
    `#ressources` agree, and so do `#مَوارد`, `#مـوارد` and `#موارد`."""
    wide_folded = unicodedata.normalize("NFKC", word).casefold().replace(_TATWEEL, "")
    decomposed = unicodedata.normalize("NFKD", wide_folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def cjk_prefixes(word: str) -> list[str]:
    """A hashtag in Chinese runs into the words after it (`#资源共享`): the prefixes to try
    against the plan's hashtags, longest first; none for a word without CJK characters."""
    if not _CJK_CHAR.search(word):
        return []
    return [word[:end] for end in range(len(word) - 1, 0, -1)]


def find_hashtags(text: str) -> list[str]:
    """The folded hashtags of `text`, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _HASHTAG.finditer(text):
        seen.setdefault(fold(match.group(1).rstrip("-")), None)
    return list(seen)
