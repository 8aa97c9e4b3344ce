"""The side the note states: the sided codes beside a candidate of unspecified side.

A look-up that lands on "Sprain of other ligament of unspecified ankle" stops one step short
when the note says "right ankle": the coder reads the subcategory in the Tabular List and takes
the right-side code (OCG I.B.13: the unspecified side only when no side is documented). The
lanes reach the unspecified code often (it shares the index line's words); this adds its
siblings of the stated side, each verified like any candidate.
"""

from __future__ import annotations

from collections.abc import Iterable

from icd_resources import IcdResources
from tools.code_cues import SIDES, spelled_sides
from tools.words import letter_words


def stated_sides(note: str) -> frozenset[str]:
    """Return the sides the note names: right, left, bilateral."""
    words = letter_words(spelled_sides(note))
    return frozenset(side for side, cues in SIDES.items() if words & cues)


def _sided(description: str, side: str) -> set[str]:
    # "Pain in unspecified knee" -> "pain in right knee": one "unspecified" at a time.
    words = description.lower().split(" ")
    return {
        " ".join([*words[:i], side, *words[i + 1 :]])
        for i, word in enumerate(words)
        if word.strip(",") == "unspecified" and i + 1 < len(words)
    }


def sided_siblings(icd: IcdResources, code: str, sides: Iterable[str]) -> list[str]:
    """Return the billable codes beside ``code`` that name a stated side instead of none.

    A sibling qualifies when its description is the code's with one "unspecified" replaced
    by the side ("... of unspecified ankle" -> "... of right ankle").

    Args:
        icd: The release.
        code: A billable code.
        sides: The sides the note names (right, left, bilateral).

    Returns:
        The siblings in the release's order (a 7th character carried over), or [].
    """
    info, parent = icd.get(code), icd.parent(code)
    if info is None or parent is None or "unspecified" not in info.description.lower():
        return []
    base, seventh = info, ""
    if parent.code == code[:-1] and icd.needs_seventh_character(parent.code):
        base, seventh = parent, code[-1]
    above = icd.parent(base.code)
    if above is None:
        return []
    wanted = set().union(*(_sided(base.description, side) for side in sides))
    return [
        sibling.code + seventh
        for sibling in icd.children(above.code)
        if sibling.description.lower() in wanted and icd.is_billable(sibling.code + seventh)
    ]
