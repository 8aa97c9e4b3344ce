"""The history code of a condition, read from the Tabular List's own "classifiable to" notes.

A family member's condition is coded as the patient's family history (OCG I.C.21.c.4), and the
Tabular List says which conditions each family history code is for: Z80.0 "Conditions
classifiable to C15-C26", Z82.4 "Conditions classifiable to I00-I5A, I65-I99". So a coder looks
the condition up as if it were the patient's (pancreatic adenocarcinoma: C25.9) and codes the
family history code whose note covers it (Z80.0) — where a search for "family history of
pancreatic adenocarcinoma" lands on "malignant neoplasm, unspecified" (Z80.9).

The narrowest note wins (Z81.1 "classifiable to F10.-" over Z81.8 "classifiable elsewhere in
F01-F99"); among the codes one note covers (Z80.41 ovary ... Z80.49 other genital organs) the
one whose description shares most words with the condition's is chosen, else the residual one
("other").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from icd_resources import IcdResources, NoteKind
from tools.words import GENERIC_WORDS, content_words

FAMILY_HISTORY = ("Z80", "Z81", "Z82", "Z83", "Z84")
"""The categories of family history codes, the only ones a family member's condition yields."""

_DISEASE_LETTERS = frozenset("ABCDEFGHIJKLMNOPQ")
"""Chapters 1-17 (A00-Q99) classify diseases; 18-22 symptoms, injuries, causes, factors."""


def names_a_disease(code: str) -> bool:
    """Say whether a condition's code is a disease's, one a family member can pass on a risk of.

    OCG I.C.21.c.4: family history codes are for "a family member(s) who has had a particular
    disease that causes the patient to be at higher risk of also contracting the disease"; a
    family member's symptom, injury or status ("healthy", "trauma", "donor") is none.
    """
    return code[:1].upper() in _DISEASE_LETTERS


_CLASSIFIABLE = re.compile(r"classifiable (?:elsewhere )?(?:in|to) (.*)", re.IGNORECASE)
_CODE = r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]+)?"
_RANGE = re.compile(rf"({_CODE})(?:\.-|-)?(?:-?({_CODE}))?")
_RESIDUAL = content_words("other unspecified")


@dataclass(frozen=True, slots=True)
class CodeRange:
    """Codes from ``low`` to ``high`` (dots removed; a prefix covers the codes it begins)."""

    low: str
    high: str

    def covers(self, code: str) -> bool:
        """Say whether the range holds ``code`` (C25.9 is in C15-C26, C80.1 in C80.1)."""
        plain = code.replace(".", "")
        return self.low <= plain[: len(self.low)] and plain[: len(self.high)] <= self.high


@dataclass(frozen=True, slots=True)
class HistoryCode:
    """A history code and the conditions its Tabular note says it is for."""

    code: str
    words: frozenset[str]
    """The stems of what it is a history of ("malignant neoplasm of ovary")."""
    ranges: tuple[CodeRange, ...]


def parse_ranges(text: str) -> tuple[CodeRange, ...]:
    """Return the code ranges of a "Conditions classifiable to ..." note (empty if none)."""
    found = _CLASSIFIABLE.search(text)
    if found is None:
        return ()
    ranges = []
    for low, high in _RANGE.findall(found.group(1)):
        plain_low = low.replace(".", "")
        ranges.append(CodeRange(plain_low, (high or low).replace(".", "")))
    return tuple(ranges)


class HistoryCodes:
    """The family history codes of a release, by the conditions they are for."""

    def __init__(self, icd: IcdResources, categories: Iterable[str] = FAMILY_HISTORY) -> None:
        self._codes: list[HistoryCode] = []
        for category in filter(icd.exists, categories):
            for info in icd.billable_descendants(category):
                self._codes += _history_code(icd, info.code, info.description)

    def for_condition(self, code: str, words: Iterable[str] = ()) -> str | None:
        """Return the history code of a condition coded ``code`` (None when no note covers it).

        ``words``: the condition's own words (its description, the note's clause), to choose
        among the codes one note covers.
        """
        covering = [
            (min(_width(r) for r in h.ranges if r.covers(code)), h)
            for h in self._codes
            if any(r.covers(code) for r in h.ranges)
        ]
        if not covering:
            return None
        narrowest = min(width for width, _h in covering)
        rivals = [h for width, h in covering if width == narrowest]
        said = content_words(" ".join(words))
        best = max(rivals, key=lambda h: (_shared(h, said), bool(h.words & _RESIDUAL), h.code))
        return best.code


def _shared(history: HistoryCode, said: frozenset[str]) -> int:
    """Return how many telling words a history code shares with the condition's."""
    return len((history.words - GENERIC_WORDS) & said)


def _history_code(icd: IcdResources, code: str, description: str) -> list[HistoryCode]:
    """Return the code with the ranges of its nearest "classifiable to" note (none: [])."""
    notes = icd.notes_for(code, {NoteKind.INCLUSION_TERM})
    for note in sorted(notes, key=lambda n: -len(n.origin)):
        ranges = parse_ranges(note.text)
        if ranges:
            words = content_words(description.split(" of ", 1)[-1])
            return [HistoryCode(code, words, ranges)]
    return []


def _width(code_range: CodeRange) -> tuple[int, int]:
    """Return how wide a range is: a longer prefix is narrower, then the span of categories."""
    span = _category_number(code_range.high) - _category_number(code_range.low)
    return (-len(code_range.low), span)


def _category_number(code: str) -> int:
    """Number a category (its first three characters) so that ranges can be measured."""
    letter, tens, units = code[0], code[1], code[2]
    return (ord(letter) - ord("A")) * 1000 + int(tens, 36) * 36 + int(units, 36)


@functools.lru_cache(maxsize=8)
def history_codes(icd: IcdResources, categories: tuple[str, ...]) -> HistoryCodes:
    """Return a release's history codes of some categories, read once per release."""
    return HistoryCodes(icd, categories)
