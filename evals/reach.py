"""Whether a code found by search reaches a gold code: directly, or as its ancestor."""

from __future__ import annotations

from enum import IntEnum


class Reach(IntEnum):
    """How a found code relates to a gold code, best first."""

    DIRECT = 0  # the same code
    ANCESTOR = 1  # the validator would descend from it to the gold code
    NONE = 2


def bare(code: str) -> str:
    """Return a code without its dot and without trailing placeholder X's."""
    return code.replace(".", "").rstrip("X")


def reach(found: str, gold: str) -> Reach:
    """Classify one found code against one gold code.

    CodiEsp omits the 7th character and writes W19.XXX for W19.XXXA, so a gold code is
    compared without trailing placeholders; ICD-10-CM codes extend their ancestors' characters,
    so an ancestor is a prefix.
    """
    f, g = bare(found), bare(gold)
    if f == g or (len(found.replace(".", "")) == 7 and bare(found[:-1]) == g):
        return Reach.DIRECT  # the second case: a 7th-character code against a gold without it
    if g.startswith(f):
        return Reach.ANCESTOR
    return Reach.NONE
