"""Gold codes against the release: which are billable, which are not, and why (never dropped)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from icd_resources import IcdResources
from icd_resources.codes import same_but_for_seventh, with_seventh_character, without_placeholders

BILLABLE = "billable"
SEVENTH_OMITTED = "billable but for the omitted 7th character"
NOT_BILLABLE = "in the release but not billable (a category or subcategory)"
NOT_IN_RELEASE = "not in the release"


def gold_status(icd: IcdResources, code: str) -> str:
    """Classify one gold code against the release."""
    if not icd.exists(code):
        # CodiEsp writes W19.XXX for W19.XXXA and O32.1XX for O32.1XX0: the code without
        # its 7th character does not exist on its own; its base code (placeholders dropped)
        # does, and takes 7th characters.
        return SEVENTH_OMITTED if _completed(icd, code) else NOT_IN_RELEASE
    info = icd.lookup(code)
    if info.billable:
        return BILLABLE
    if icd.needs_seventh_character(code):
        return SEVENTH_OMITTED
    return NOT_BILLABLE


def gold_report(icd: IcdResources, codes: Iterable[str]) -> dict[str, int]:
    """Count gold (document, code) pairs per status."""
    return dict(Counter(gold_status(icd, c) for c in codes))


def scorable(icd: IcdResources, code: str) -> bool:
    """Say whether a prediction could match the gold code: billable, or 7th character omitted."""
    return gold_status(icd, code) in (BILLABLE, SEVENTH_OMITTED)


def _completed(icd: IcdResources, code: str) -> bool:
    bare = without_placeholders(code)
    base = f"{bare[:3]}.{bare[3:]}" if len(bare) > 3 else bare
    if len(code.replace(".", "")) != 6 or not icd.exists(base):
        return False
    return any(
        icd.exists(full) and same_but_for_seventh(full, code)
        for choice in icd.seventh_characters(base)
        for full in [with_seventh_character(base, choice.char)]
    )
