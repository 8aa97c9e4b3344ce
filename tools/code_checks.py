"""Deterministic coding checks on an ordered code set: recorded, never silent.

- billable only (OCG I.A.3, I.B.2: codes of the highest number of characters);
- duplicates (I.B.12: a code is reported once);
- Excludes1 pairs (I.A.12.a: never together; the lower-ranked code goes);
- etiology before manifestation and "code first" order (I.A.13);
- required 7th characters (I.A.5), reported with the billable check that removes such codes;
- "use additional code" notes whose codes are missing from the set (flagged for review only:
  the note may say "if applicable").
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from icd_resources import IcdResources, NoteKind
from icd_resources.codes import code_references, note_names


class Check(BaseModel):
    """A deterministic check that ran on a code set (recorded, never hidden)."""

    rule: str = Field(description="The rule and its section, e.g. 'Excludes1 (OCG I.A.12.a)'.")
    codes: list[str]
    action: str = Field(description="'removed X', 'moved X before Y', 'flagged', ...")
    detail: str = ""


def run_checks(icd: IcdResources, ordered: list[str]) -> tuple[list[str], list[Check]]:
    """Apply every check to an ordered code list; return the corrected list and the record."""
    checks: list[Check] = []
    codes: list[str] = []
    for code in ordered:
        info = icd.get(code)
        if info is None or not info.billable:
            checks.append(
                Check(
                    rule="Billable codes only (OCG I.A.3, I.B.2)",
                    codes=[code],
                    action=f"removed {code}",
                    detail=_why_not_billable(icd, code),
                )
            )
        elif code in codes:
            checks.append(
                Check(
                    rule="Report a code once (OCG I.B.12)",
                    codes=[code],
                    action=f"removed duplicate {code}",
                )
            )
        else:
            codes.append(code)
    codes = _excludes1(icd, codes, checks)
    codes = _code_first(icd, codes, checks)
    _use_additional(icd, codes, checks)
    return codes, checks


def _why_not_billable(icd: IcdResources, code: str) -> str:
    if icd.get(code) is None:
        return "not a code of this release"
    if icd.needs_seventh_character(code):
        return "needs its 7th character (OCG I.A.5)"
    return "a category or subcategory, not a billable code"


def _excludes1(icd: IcdResources, codes: list[str], checks: list[Check]) -> list[str]:
    kept: list[str] = []
    for code in codes:
        clash = next((k for k in kept if _excludes(icd, k, code) or _excludes(icd, code, k)), None)
        if clash is None:
            kept.append(code)
            continue
        checks.append(
            Check(
                rule="Excludes1 (OCG I.A.12.a)",
                codes=[clash, code],
                action=f"removed {code}",
                detail=f"{clash} and {code} exclude each other; kept {clash}, ranked higher. "
                "If the two conditions are unrelated, both may be reported: review.",
            )
        )
    return kept


def _excludes(icd: IcdResources, code: str, other: str) -> bool:
    return any(
        note_names(note.text, other)
        for note in icd.notes_for(code, kinds={NoteKind.EXCLUDES1})
        if not note.origin.startswith("Chapter")
    )


def _code_first(icd: IcdResources, codes: list[str], checks: list[Check]) -> list[str]:
    ordered = list(codes)
    for code in codes:
        notes = icd.notes_for(code, kinds={NoteKind.CODE_FIRST})
        for etiology in [c for c in ordered if c != code]:
            if any(note_names(n.text, etiology) for n in notes) and ordered.index(
                etiology
            ) > ordered.index(code):
                ordered.remove(etiology)
                ordered.insert(ordered.index(code), etiology)
                checks.append(
                    Check(
                        rule="Code first / etiology before manifestation (OCG I.A.13)",
                        codes=[etiology, code],
                        action=f"moved {etiology} before {code}",
                    )
                )
    return ordered


def _use_additional(icd: IcdResources, codes: list[str], checks: list[Check]) -> None:
    for code in codes:
        for note in icd.notes_for(code, kinds={NoteKind.USE_ADDITIONAL_CODE}):
            if note.origin.startswith("Chapter") or not code_references(note.text):
                continue
            if not any(note_names(note.text, other) for other in codes if other != code):
                checks.append(
                    Check(
                        rule="Use additional code (OCG I.A.13)",
                        codes=[code],
                        action="flagged",
                        detail=f"{code} ({note.origin}): {note.text} - no such code in the set",
                    )
                )
