"""The word model every module that compares words uses: tokens, stems and generic words.

- :func:`content_words`: Porter stems without connectors, the words the walk, the pool ranker
  and the cue checks compare ("diabetic" and "diabetes" both give "diabet"). Stems are the
  original Porter algorithm (Snowball's ``porter``), the same as nltk's
  ``PorterStemmer(ORIGINAL_ALGORITHM)``.
- :func:`plain_words`: whole words of 3+ characters without function words, unstemmed: what
  completes an index code to its billable codes and what set-aside axes are read from.
- :func:`letter_words`: runs of letters alone (a cue glued to a number still reads: "left2").
- :func:`literal_words`: the words of any script, as the note writes them, for
  finding a quoted span in a note.
- ``GENERIC_WORDS`` and ``TITLE_WORDS``: words every description, or every chapter and block
  title, has; sharing them says nothing.
- :func:`telling_words`: a code description's content words without the generic ones, what
  a note's stems are matched against.
"""

from __future__ import annotations

import functools
import re

import snowballstemmer

_TOKEN = re.compile(r"[a-z0-9]+")
_LETTERS = re.compile(r"[a-z]+")
_LITERAL = re.compile(r"\w+")
_CONNECTORS = frozenset(
    "a an and as at by due for from in into of on or the to with without".split()
)
FUNCTION_WORDS = frozenset(
    "and are but for from has had have her his into not she that the their this was were "
    "which who with without".split()
)
"""Words that say nothing about which code fits: sharing "for" or "with" with a description
must not rank S72.001D ("subsequent encounter for ... with routine healing") above S72.001A."""
_PORTER = snowballstemmer.stemmer("porter")


_BRITISH_SPELLINGS = {
    "aem": "em",  # haemorrhage, anaemia, ischaemia, leukaemia, Haemophilus
    "oedem": "edem",
    "oesoph": "esoph",
    "oestr": "estr",
    "coeliac": "celiac",
    "rrhoea": "rrhea",  # diarrhoea, amenorrhoea, gonorrhoea
    "pnoea": "pnea",  # dyspnoea, apnoea
    "foet": "fet",
    "aetiol": "etiol",
    "anaesth": "anesth",
    "gynaec": "gynec",
    "paed": "ped",  # paediatric, orthopaedic
    "faec": "fec",
    "caesar": "cesar",
    "tumour": "tumor",
    "labour": "labor",
    "behaviour": "behavior",
}
_BRITISH = re.compile("|".join(sorted(_BRITISH_SPELLINGS, key=len, reverse=True)))


def american_spelling(word: str) -> str:
    """Return a lower-case word spelled as the classification spells it ("haem" -> "hem").

    ICD-10-CM is written in American English; notes and translations written in British
    English ("Haemophilus influenzae", "oedema", "faecal") name the same things.
    """
    return _BRITISH.sub(lambda m: _BRITISH_SPELLINGS[m.group(0)], word)


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """Return a lower-case word's Porter stem, spelled the American way."""
    return str(_PORTER.stemWord(american_spelling(word)))


def tokens(text: str) -> list[str]:
    """Return a text's lower-case letter-and-digit runs, in order."""
    return _TOKEN.findall(text.lower())


def content_words(text: str) -> frozenset[str]:
    """Return a text's words without connectors, as Porter stems (diabetic/diabetes: diabet)."""
    return frozenset(stem(w) for w in tokens(text) if w not in _CONNECTORS)


def plain_words(text: str) -> set[str]:
    """Return a text's lower-case words of 3+ characters, unstemmed, without function words."""
    return {w for w in tokens(text) if len(w) >= 3} - FUNCTION_WORDS


def letter_words(text: str, min_chars: int = 1) -> frozenset[str]:
    """Return a text's lower-case runs of letters of at least ``min_chars`` characters."""
    return frozenset(w for w in _LETTERS.findall(text.lower()) if len(w) >= min_chars)


def literal_words(text: str, min_chars: int = 1) -> set[str]:
    """Return a text's lower-case words of any script, of ``min_chars`` characters or more."""
    return {w.lower() for w in _LITERAL.findall(text) if len(w) >= min_chars}


GENERIC_WORDS = content_words("other unspecified specified type site part not elsewhere classified")
"""Words every other description has (as stems): sharing them says nothing about the note."""


@functools.lru_cache(maxsize=65_536)
def telling_words(description: str) -> frozenset[str]:
    """Return a code description's content words (stems) without the generic ones."""
    return content_words(description) - GENERIC_WORDS


TITLE_WORDS = content_words(
    "abnormal certain cause causes diseases disorders examination findings general involving "
    "other signs symptoms system systems tissue"
)
"""Words of chapter and block titles that name no body system (as stems): "Symptoms and signs
involving the circulatory system" and "Diseases of the circulatory system" share "circulatori"."""
