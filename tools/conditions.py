"""Group a note's candidate codes into the conditions they could code: rivals, not a list.

A coder who reaches C50.412, C50.912 and C50.812 for one "left breast cancer" reports one of
them; the verifier that asks about each code alone accepts all three. Candidates are rivals when
they could code the same documented condition:

- they share a category and the same evidence (the same mention of the note, evidence that
  overlaps in the note — "smoker" inside the sentence a companion rule read — or no mention of
  their own, as the sentence lane's hits), so two sites mentioned apart stay two conditions,
  and E11.22 and E11.40 from two complications stay two;
- they share a category and were found from the same words written twice ("AFib" in the HPI
  and in the assessment: I48.0 or I48.91, one condition; "fx" and "fracture", an abbreviation
  read as its words), unless they name two sides (a "fracture" of each ankle; a code of
  unspecified side names none);
- they were found best from the same mention ("shock": R65.21 or R57.9; "pneumoniae": J13 or
  J18.9); the validator groups one chapter's candidates, so a mention's codes of two chapters
  (E11.22 and N18.31 for "diabetic CKD stage 3a") are never rivals, nor is a code that one
  mention's search lists low ("CAD" lists I10, which "HTN" finds first) a rival of its codes;
- an Excludes1 note of one names the other (OCG I.A.12.a: never reported together);

and rivalry is transitive (union-find), so a condition is a connected group. Each condition
then yields one code, chosen by the model among its members (graph/nodes/scoring.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rival:
    """What grouping reads of a candidate: its code and the mention it was found from."""

    code: str
    mention: str
    """The finding id of its evidence; empty when no mention of its own found it."""
    spans: tuple[tuple[int, int], ...] = ()
    """Where its evidence lies in the note: (start, end) character offsets."""
    term: str = ""
    """The mention's words, lower-case; empty when no mention of its own found it."""
    side: str = ""
    """The side its description names (right, left, bilateral), empty when none."""


@dataclass(frozen=True, slots=True)
class Condition:
    """A group of rival codes, in the order they came (the pool's ranking)."""

    codes: tuple[str, ...]

    @property
    def key(self) -> str:
        """Return the condition's name: its first (best-ranked) code."""
        return self.codes[0]


Excludes = Callable[[str, str], bool]
"""Whether an Excludes1 note of the first code names the second (either way is checked)."""


def group_conditions(rivals: Sequence[Rival], excludes: Excludes) -> list[Condition]:
    """Group candidates into conditions, each in input order, ordered by its first member."""
    codes = list(dict.fromkeys(r.code for r in rivals))
    mentions: dict[str, set[str]] = {}
    spans: dict[str, set[tuple[int, int]]] = {}
    terms: dict[str, set[str]] = {}
    sides = {r.code: r.side for r in rivals}
    for rival in rivals:
        mentions.setdefault(rival.code, set()).add(rival.mention)
        spans.setdefault(rival.code, set()).update(rival.spans)
        terms.setdefault(rival.code, set()).add(rival.term)
    parent = {code: code for code in codes}

    def root(code: str) -> str:
        while parent[code] != code:
            parent[code] = parent[parent[code]]
            code = parent[code]
        return code

    # The sides each group's codes name: the same words written twice join two groups only
    # if together they name one side at most (a "fracture" of each ankle stays two, even
    # beside a code of unspecified side).
    named = {code: {sides[code]} - {""} for code in codes}
    for i, first in enumerate(codes):
        for second in codes[i + 1 :]:
            same = first[:3] == second[:3]
            linked = _rivals(first, second, mentions, excludes) or (
                same and _overlap(spans[first], spans[second])
            )
            twice = not linked and same and _written_twice(terms[first], terms[second])
            a, b = root(first), root(second)
            if a == b or not (linked or twice) or (twice and len(named[a] | named[b]) > 1):
                continue
            # The earlier code stays the root: groups keep the pool's order.
            keep, drop = (a, b) if codes.index(a) < codes.index(b) else (b, a)
            parent[drop] = keep
            named[keep] |= named[drop]
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(root(code), []).append(code)
    return [Condition(tuple(members)) for members in groups.values()]


def _rivals(first: str, second: str, mentions: dict[str, set[str]], excludes: Excludes) -> bool:
    a, b = mentions[first], mentions[second]
    if (a & b) - {""}:
        return True
    # A hit with no mention of its own could code any mention's condition of its category.
    if first[:3] == second[:3] and ("" in a or "" in b):
        return True
    return excludes(first, second) or excludes(second, first)


def _written_twice(first: set[str], second: set[str]) -> bool:
    """Say whether two codes were found from the same words written in two places."""
    return bool((first & second) - {""})


def _overlap(first: set[tuple[int, int]], second: set[tuple[int, int]]) -> bool:
    """Say whether some span of one lies over some span of the other."""
    return any(a < d and c < b for a, b in first for c, d in second)
