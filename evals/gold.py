"""Gold codes against the release: which are billable, which are not, and why (never dropped)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from icd_resources import IcdResources

BILLABLE = "billable"
SEVENTH_OMITTED = "billable but for the omitted 7th character"
NOT_BILLABLE = "in the release but not billable (a category or subcategory)"
NOT_IN_RELEASE = "not in the release"


def gold_status(icd: IcdResources, code: str) -> str:
    """Classify one gold code against the release."""
    if not icd.exists(code):
        # CodiEsp writes W19.XXX for W19.XXXA: the padded code does not exist on its own.
        stem = code.replace(".", "")
        for char in "ADS":
            if icd.exists(f"{stem[:3]}.{stem[3:]}{char}") and len(stem) == 6:
                return SEVENTH_OMITTED
        return NOT_IN_RELEASE
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
