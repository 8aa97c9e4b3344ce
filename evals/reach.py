"""Whether a code found by search reaches a gold code: directly, or as its ancestor."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from icd_resources.codes import same_but_for_seventh, without_placeholders


class Reach(IntEnum):
    """How a found code relates to a gold code, best first."""

    DIRECT = 0  # the same code
    ANCESTOR = 1  # the validator would descend from it to the gold code
    NONE = 2


def reach(found: str, gold: str) -> Reach:
    """Classify one found code against one gold code.

    CodiEsp omits the 7th character and writes W19.XXX for W19.XXXA, so a gold code is
    compared without trailing placeholders; ICD-10-CM codes extend their ancestors' characters,
    so an ancestor is a prefix.
    """
    f, g = without_placeholders(found), without_placeholders(gold)
    if f == g or same_but_for_seventh(found, gold):
        return Reach.DIRECT
    if g.startswith(f):
        return Reach.ANCESTOR
    return Reach.NONE


def is_coded(code: str, gold: Iterable[str]) -> bool:
    """Return whether a code is one of a note's gold codes (CodiEsp's 7th character aside)."""
    return any(reach(code, g) is Reach.DIRECT for g in gold)
