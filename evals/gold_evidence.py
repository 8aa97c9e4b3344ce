"""Does a note state any word a coder could look its gold code up with?

A gold code is within reach of a look-up when the note states a word of the code's tabular
description (or of its ancestors'), or of a main term of the Alphabetic Index that leads to
the code or an ancestor ("Smoker - see Dependence, drug, nicotine" is a look-up of F17.2-
through "smoker"). Words are compared as Porter stems, without the words every description
has ("other", "unspecified", "disease"). The test is lenient: a word the note negates counts,
and so does a word that is stated about something else. A gold pair that fails it needs more
than the note's words (CodiEsp's annotators coded some codes from no word of the note: R69
"Illness, unspecified"), so no retrieval over the note's words is expected to reach it; the
share that fails is the ceiling the bench prints beside recall.
"""

from __future__ import annotations

from collections import defaultdict

from icd_resources import IcdResources, IndexEntry, IndexSource
from tools.words import GENERIC_WORDS, content_words

_GENERIC = GENERIC_WORDS | content_words("disease disorder condition")


class LookupWords:
    """The words that lead to each code of a release: its descriptions and index main terms."""

    def __init__(self, icd: IcdResources) -> None:
        self.icd = icd
        self._main_terms: dict[str, set[str]] = defaultdict(set)
        for source in (IndexSource.INDEX, IndexSource.EINDEX):
            main_words: dict[int, frozenset[str]] = {}
            for entry in icd.index_entries(source):
                words = self._main_words(entry, main_words)
                for code in entry.codes:
                    self._main_terms[code.code.rstrip("-")] |= words

    def _main_words(self, entry: IndexEntry, known: dict[int, frozenset[str]]) -> frozenset[str]:
        """Return the content words of an entry's main term (entries come parents first)."""
        if entry.level == 0 or entry.parent_id not in known:
            known[entry.id] = content_words(entry.title) - _GENERIC
        else:
            known[entry.id] = known[entry.parent_id]
        return known[entry.id]

    def words_for(self, code: str) -> set[str]:
        """Return the words that lead to a code, through it or any of its ancestors."""
        words: set[str] = set()
        current = code.upper()
        while current:
            words |= self._main_terms.get(current, set())
            info = self.icd.get(current)
            if info is not None:
                words |= content_words(info.description) - _GENERIC
            if len(current) <= 3:
                break
            current = current[:-1].rstrip(".")
        return words

    def stated(self, code: str, note_words: frozenset[str]) -> bool:
        """Say whether a note states any word that leads to the code."""
        return bool(self.words_for(code) & note_words)
