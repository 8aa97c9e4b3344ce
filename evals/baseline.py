"""A non-LLM baseline in the same harness: index matching sentence by sentence.

Each sentence of the note is searched in the Alphabetic Index (hybrid, top 1). The entry's code
is kept, completed to its billable "unspecified" code (or first billable code) when incomplete.
Sentences that open with a negation cue are skipped. No training data is used.
"""

from __future__ import annotations

import re

from icd_resources import IcdResources
from tools.index_search import EmptyQueryError, Searcher

_NEGATION = re.compile(
    r"^\s*(no|denies|denied|without|negative for|ruled out|absence of)\b", re.IGNORECASE
)


class IndexMatchingCoder:
    """Code a note by its best index entry per sentence."""

    def __init__(self, icd: IcdResources, searcher: Searcher) -> None:
        self.icd = icd
        self.searcher = searcher

    def code(self, text: str) -> list[str]:
        """Return ranked codes (sentence order) for a note."""
        predicted: list[str] = []
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
            if len(sentence.split()) < 2 or _NEGATION.match(sentence):
                continue
            try:
                hits = self.searcher.search(sentence, k=1)
            except EmptyQueryError:
                continue  # no searchable words (punctuation, another script)
            if not hits:
                continue
            hit = hits[0]
            codes = [c.code for c in hit.codes] or [c.code for x in hit.xrefs for c in x.codes]
            for code in codes[:1]:
                billable = self._complete(code)
                if billable and billable not in predicted:
                    predicted.append(billable)
        return predicted

    def _complete(self, code: str) -> str | None:
        info = self.icd.get(code)
        if info is None:
            return None
        if info.billable:
            return info.code
        leaves = self.icd.billable_descendants(code)
        unspecified = [c for c in leaves if "unspecified" in c.description.lower()]
        chosen = unspecified or leaves
        return chosen[0].code if chosen else None
