"""Whether the note states the subterms of the index line that reached a code.

A main term's subterms are essential modifiers: each one changes the code, so a coder goes down
to a subterm only when the note documents it. The words in parentheses are the nonessential
modifiers, which "may be present or absent ... without affecting the code number" (OCG I.A.7).
A search that reached J45.909 through "Dyspnea, asthmatic" from a note that says "dyspnea"
and never "asthma" walked one subterm too deep: the code is set aside, the reason recorded.
Only the deepest subterm, the one that gives the code, is read: the ones above it often group
(a "trunk" above "abdominal wall") in words a note has no reason to use.

A subterm is stated when one of its telling words (stems, without the generic ones) begins
with the same four letters as a word of the note ("hemorrhagic" and "hemorrhage"); the words
a note uses for the index's own ("femoral" for "femur", "cancer" for "malignant neoplasm")
are read as those. A subterm of absence ("without complication"), of connectors alone
("with") or of numbers alone ("type 2", "stage 3a": tools/code_cues.py reads those) asks
nothing; the drug and neoplasm tables' columns are read by their own checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from icd_resources import IcdResources, IndexEntry
from tools.abbreviations import expand
from tools.rival_specifics import is_stated
from tools.words import content_words, telling_words

_PREFIX = 4
"""Letters a subterm's word and a note's word must share at the start: Porter stems still
differ (arthritic: arthrit, arthritis: arthriti), while "lobar" is no "lobe"."""
_ABSENCE = ("without", "not ", "no ", "absence")
_LINE_END = re.compile(r" \(| \[| - see | [A-Z][0-9][0-9A-Z]")
_INDEX_WORDS = {
    "renal": "kidney",
    "nephric": "kidney",
    "hepatic": "liver",
    "cardiac": "heart",
    "pulmonary": "lung",
    "cerebral": "brain",
    "gastric": "stomach",
    "femoral": "femur",
    "humeral": "humerus",
    "ocular": "eye",
    "cutaneous": "skin",
    "dermal": "skin",
    "vertebral": "vertebra",
    "spinal": "spine",
    "costal": "rib",
    "pelvic": "pelvis",
    "uterine": "uterus",
    "ovarian": "ovary",
    "vesical": "bladder",
    "colonic": "colon",
    "rectal": "rectum",
    "anal": "anus",
    "oral": "mouth",
    "nasal": "nose",
    "aural": "ear",
    "otic": "ear",
    "cervical": "neck",
    "thoracic": "chest",
    "abdominal": "abdomen",
    "mammary": "breast",
    "cancer": "malignant neoplasm",
    "carcinoma": "malignant neoplasm",
    "tumor": "neoplasm",
    "mass": "neoplasm",
    "heart attack": "myocardial infarction",
}
"""Words notes use (anatomy adjectives, lay names) and the index words they stand for."""


def note_words(note: str) -> frozenset[str]:
    """Return the note's stems, its abbreviations and everyday words read as the index's."""
    text = expand(note)
    lowered = text.lower()
    read = " ".join(word for usage, word in _INDEX_WORDS.items() if usage in lowered)
    return content_words(f"{text} {read}")


def index_line_path(line: str) -> str:
    """Return the path of a printed index line: before its modifiers, codes and references."""
    return _LINE_END.split(line, maxsplit=1)[0].strip().rstrip(",")


def subterms(icd: IcdResources, path: str) -> list[str] | None:
    """Return the subterm titles under the main term of the index entry at ``path``.

    Returns:
        The titles of the entry and its ancestors below level 0, top first, without table
        cells; None when no index entry has that path (a tabular description, a sibling).
    """
    entries = icd.find_index_path(path)
    if not entries:
        return None
    titles: list[str] = []
    entry: IndexEntry | None = entries[0]
    while entry is not None and entry.level > 0:
        if not entry.column:
            titles.append(entry.title)
        entry = icd.index_entry(entry.parent_id) if entry.parent_id is not None else None
    return titles[::-1]


def _stated(title: str, stems: Iterable[str]) -> bool:
    if title.lower().startswith(_ABSENCE):
        return True
    words = {w for w in telling_words(title) if not any(ch.isdigit() for ch in w)}
    if not words:
        return True
    return any(note[:_PREFIX] == word[:_PREFIX] for word in words for note in stems)


def unstated_subterm(icd: IcdResources, line: str, stems: frozenset[str]) -> str | None:
    """Return the deepest subterm of an index line if the note (its ``stems``) never states it.

    Args:
        icd: the release, whose index resolves the line's path to its entries.
        line: the printed index line that reached a candidate (``Candidate.index_path``).
        stems: :func:`note_words` of the note.

    Returns:
        The deepest subterm's title when the note never states it; None when it does, when
        the line has no subterm, or when the line is no index line.
    """
    titles = subterms(icd, index_line_path(line))
    if not titles or _stated(titles[-1], stems):
        return None
    return titles[-1]


def stated_subterm_below(icd: IcdResources, line: str, stems: frozenset[str]) -> IndexEntry | None:
    """Return a subterm under an index line that the note states in full, or None.

    "Pneumonia J18.9" read from "aspiration pneumonia" stopped a level short: the subterm
    "aspiration" (J69.0) is an essential modifier the note states, and it changes the code
    (OCG I.A.7). Every telling word of the subterm must be stated
    (:func:`tools.rival_specifics.is_stated`); of several, the one of most words is returned.

    Args:
        icd: the release, whose index resolves the line's path to its entries.
        line: the printed index line that reached a candidate (``Candidate.index_path``).
        stems: :func:`note_words` of the sentences around the candidate's evidence.
    """
    entries = icd.find_index_path(index_line_path(line))
    if not entries:
        return None
    best: tuple[int, IndexEntry | None] = (0, None)
    for child in icd.index_children(entries[0].id):
        if child.column or child.title.lower().startswith(_ABSENCE):
            continue
        words = {w for w in telling_words(child.title) if not any(ch.isdigit() for ch in w)}
        if words and len(words) > best[0] and all(is_stated(w, stems) for w in words):
            best = (len(words), child)
    return best[1]
