"""Look a main term up the way a coder does, down the sub-terms the note supports.

From the main term to the most specific entry (OCG I.A: the Alphabetic Index first, then the
Tabular List). A sub-term is followed when every content word of its title is in the note's
sentence; connecting sub-terms ("with", "in", "due to") are passed through. With no sub-term
supported, the main term's own entry is the answer: "hypertension" alone is I10, whatever the
hundreds of sub-entries under it say.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from icd_resources import IcdResources, IndexEntry
from tools.words import content_words

_MAX_DEPTH = 6
_NO_DEFAULT = frozenset({"Symptoms NEC"})
"""Main terms whose word names no condition: "symptoms" alone ("no other symptoms", "voiding
symptoms") states no symptom, and R68.89 is for one the note names that the index lists
nowhere else. Their sub-terms ("Symptoms, menopausal") are walked as any."""


_ALTERNATIVE_PREFIX = 4
_CONDITION = "condition"
"""The cross-reference of a modifier main term: "Cystic - see also condition"."""


def _names_the_condition(entry: IndexEntry) -> bool:
    """Say whether a main term sends the coder to the condition it modifies."""
    references = (entry.see or "", entry.see_also or "")
    return any(ref.strip().lower().startswith(_CONDITION) for ref in references)


@functools.lru_cache(maxsize=131_072)
def title_forms(title: str) -> tuple[frozenset[str], ...]:
    """Return the sets of words a sub-term's title asks for, any one of which supports it.

    "myocardium, myocardial" and "chromosome, chromosomal" name one thing in two forms:
    either word in the sentence supports the sub-term (single words sharing their first four
    letters). Other commas invert a phrase ("back, lower": both words are needed).
    """
    parts = [p.strip() for p in re.sub(r"\([^)]*\)", "", title).split(",")]
    words = [content_words(p) for p in parts]
    singles = [p.lower() for p in parts if len(p.split()) == 1]
    if len(parts) > 1 and len(singles) == len(parts) and _one_stem(singles):
        return tuple(w for w in words if w) or (content_words(title),)
    return (content_words(title),)


def _one_stem(words: list[str]) -> bool:
    """Say whether single words are forms of one word (their first letters agree)."""
    first = words[0]
    return all(w[:_ALTERNATIVE_PREFIX] == first[:_ALTERNATIVE_PREFIX] for w in words[1:])


@dataclass(frozen=True, slots=True)
class WalkResult:
    """An entry reached from a main term, and the sub-term path that led there."""

    entry: IndexEntry
    depth: int


class IndexWalker:
    """Walks down sub-terms; keeps each entry's children once read."""

    def __init__(self, icd: IcdResources) -> None:
        self.icd = icd
        self._children: dict[int, list[IndexEntry]] = {}

    def children(self, entry_id: int) -> list[IndexEntry]:
        """Return an entry's sub-terms (read once)."""
        if entry_id not in self._children:
            self._children[entry_id] = self.icd.index_children(entry_id)
        return self._children[entry_id]

    def walk(self, main_term: int, sentence: str, named_with: str = "") -> list[WalkResult]:
        """Return the most specific entries under a main term the sentence supports.

        Deepest first, then the main term itself (when it has a code or a cross-reference):
        its default code is the answer when nothing more specific is documented.

        A main term the index sends to the condition ("Cystic - see also condition",
        "Inguinal", "Benign") is a modifier: its sub-term is the condition it modifies, so the
        first level reads only ``named_with``, the mention and the words right after it
        ("benign prostatic hyperplasia", not the kidney of "a cystic lesion in the kidney").
        """
        words = content_words(sentence)
        entry = self.icd.index_entry(main_term)
        found: list[WalkResult] = []
        if named_with and _names_the_condition(entry):
            self._descend(main_term, words, 0, found, first=content_words(named_with) & words)
        else:
            self._descend(main_term, words, 0, found)
        found.sort(key=lambda r: (-r.depth, r.entry.id))
        # The default, after anything specific.
        if (entry.codes or entry.see or entry.see_also) and entry.title not in _NO_DEFAULT:
            found.append(WalkResult(entry, 0))
        return self._on_at_references(found, words)

    def _on_at_references(self, found: list[WalkResult], words: frozenset[str]) -> list[WalkResult]:
        """Go on down the sub-terms of where an entry's cross-reference leads.

        OCG I.A.16: "see" sends the coder to another term, whose sub-terms apply as the main
        term's would ("Smoker - see Dependence, drug, nicotine": "cigarettes" there is F17.210;
        "Calculus, renal - see Calculus, kidney"). Only to a sub-term: a main term's whole tree
        ("Pathology - see Disease") is read by its own mention's walk, with the words that
        name it; the sentence's other words would find anything there. What the note supports
        goes before the entry that referred to it, which stays as the default. The Neoplasm
        Table's references are the table lane's (``tools.note_lanes``).
        """
        walked: list[WalkResult] = []
        for result in found:
            for target in self.icd.resolve_xref(result.entry.id):
                if target.kind != "see" or target.entry_id is None or target.text.startswith("Neo"):
                    continue
                if self.icd.index_entry(target.entry_id).level == 0:
                    continue
                further: list[WalkResult] = []
                self._descend(target.entry_id, words, result.depth, further)
                further.sort(key=lambda r: (-r.depth, r.entry.id))
                walked += further
            walked.append(result)
        seen: set[int] = set()
        unique: list[WalkResult] = []
        for result in walked:  # each entry where it came first
            if result.entry.id not in seen:
                seen.add(result.entry.id)
                unique.append(result)
        return unique

    def _descend(
        self,
        entry_id: int,
        words: frozenset[str],
        depth: int,
        found: list[WalkResult],
        first: frozenset[str] | None = None,
    ) -> bool:
        """Add the deepest supported entries below ``entry_id``; say whether any was added.

        ``first``: the words this level's sub-terms must be in, where not the sentence's.
        """
        if depth >= _MAX_DEPTH:
            return False
        here = words if first is None else first
        added = False
        for child in self.children(entry_id):
            forms = title_forms(child.title)
            needed = next((f for f in forms if f <= here), forms[0])
            if needed and not needed <= here:
                continue
            deeper = self._descend(child.id, words, depth + 1, found)
            if not deeper and needed and (child.codes or child.see or child.see_also):
                found.append(WalkResult(child, depth + 1))
                deeper = True
            added = added or deeper
        return added
