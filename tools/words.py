"""The word model every module that compares words uses: tokens, connectors and stems.

Stems are the original Porter algorithm (Snowball's ``porter``), the same as nltk's
``PorterStemmer(ORIGINAL_ALGORITHM)``: "diabetic" and "diabetes" both give "diabet".
"""

from __future__ import annotations

import functools
import re

import snowballstemmer

_TOKEN = re.compile(r"[a-z0-9]+")
_CONNECTORS = frozenset(
    "a an and as at by due for from in into of on or the to with without".split()
)
_PORTER = snowballstemmer.stemmer("porter")


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """Return a lower-case word's Porter stem."""
    return str(_PORTER.stemWord(word))


def content_words(text: str) -> frozenset[str]:
    """Return a text's words without connectors, as Porter stems (diabetic/diabetes: diabet)."""
    return frozenset(stem(w) for w in _TOKEN.findall(text.lower()) if w not in _CONNECTORS)


GENERIC_WORDS = content_words("other unspecified specified type site part not elsewhere classified")
"""Words every other description has (as stems): sharing them says nothing about the note."""
