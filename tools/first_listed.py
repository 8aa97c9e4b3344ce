"""The first-listed code: the diagnosis the provider states as the reason for the encounter.

OCG II: the principal diagnosis is "that condition established after study to be chiefly
responsible for occasioning the admission"; OCG IV.G: list first the code "shown in the medical
record to be chiefly responsible for the services provided". The record shows it where the
provider states the diagnoses (`tools.note_sections`): the code the principal or discharge
diagnosis section states first leads; failing one, the assessment or impression; failing that,
the reason for the visit. Within a section a numbered problem list is read first, item by item
(`tools.note_sections.statement_units`); a statement states a code when the code's evidence
lies in it or its words state two thirds of the code's description ("1. H. influenzae
pneumonia" states J14, whose evidence the mention reader took from the culture); of the codes
one statement states, a diagnosis before a symptom (OCG II.A: "T2DM with hyperglycemia" is
led by the diabetes, not R73.9), then the one it states most fully, then the earliest. The
sequencing checks run after this (a treatment encounter, OCG I.C.2.e.2, and etiology before
manifestation, OCG I.A.13, still win).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from tools.abbreviations import expand
from tools.abnormal_findings import coverage
from tools.code_checks import STATUS_CATEGORIES, Check
from tools.index_modifiers import note_words
from tools.note_sections import DiagnosisSection, diagnosis_sections, statement_units
from tools.rival_specifics import negated_out
from tools.words import content_words, telling_words

_REASON_RANK = 2
"""The rank of a reason-for-visit section ("CC: chest pain"): the patient's words, no diagnosis
the provider states."""
REASON_FIRST = "The diagnosis chiefly responsible for the encounter first-listed (OCG II, IV.G)"

_NEVER_FIRST_CATEGORIES = STATUS_CATEGORIES | {"Z3A", "Z37"}
"""Weeks of gestation and the outcome of delivery are additional codes (OCG I.C.15.b.5,
I.C.15.d); status and history codes describe the patient (OCG I.C.21.c.3-4)."""


def can_lead(code: str) -> bool:
    """Say whether a code may be first-listed.

    External causes never are (OCG I.C.20.a.6); status, history, weeks of gestation and the
    outcome of delivery are additional codes.
    """
    return code[0] not in "VWXY" and code[:3] not in _NEVER_FIRST_CATEGORIES


def _first_stated(
    codes: Sequence[str],
    starts: Mapping[str, Sequence[int]],
    note: str,
    section: DiagnosisSection,
    descriptions: Mapping[str, str],
) -> str | None:
    leads = [code for code in codes if can_lead(code)]
    for start, end in statement_units(note, section):
        stems = note_words(negated_out(note[start:end]))
        stated = _stated_in(leads, (start, end), stems, starts, descriptions)
        if stated:
            unit = (start, end)
            keys = [
                (_lead_rank(c, unit, stems, note, starts, descriptions), i, c)
                for i, c in enumerate(stated)
            ]
            return min(keys)[-1]
    return None


def _lead_rank(
    code: str,
    unit: tuple[int, int],
    stems: frozenset[str],
    note: str,
    starts: Mapping[str, Sequence[int]],
    descriptions: Mapping[str, str],
) -> tuple[bool, float, int, int]:
    """Return a stated code's place among the codes its statement states (lowest leads).

    A symptom yields to a diagnosis the same statement states (OCG II.A: not principal when a
    related definitive diagnosis is established); then the fullest statement first; then the
    one whose evidence comes first; then the one whose words do ("Acute cough and fever": the
    cough); the caller's order (the better scored) breaks what is left.
    """
    start, end = unit
    inside = [p for p in starts.get(code, ()) if start <= p < end]
    description = descriptions.get(code, "")
    return (
        code.startswith("R"),
        -coverage(description, stems),
        min(inside, default=end),
        _said_at(description, note, start, end),
    )


def _said_at(description: str, note: str, start: int, end: int) -> int:
    """Return where a statement first says a word of a code's description (its end if nowhere)."""
    words = telling_words(description) or content_words(description)
    found = (
        m.start()
        for m in _WORD.finditer(note, start, end)
        if words & content_words(expand(m.group()))  # "T2DM" says "diabetes"
    )
    return next(found, end)


_WORD = re.compile(r"[A-Za-z0-9]+")
_STATES = 2 / 3
"""The share of a description's words a statement states for it to state the code."""


def lead_statement(note: str) -> tuple[int, int] | None:
    """Return where the note states its first diagnosis: the first statement of its best section.

    The principal (or discharge) diagnosis section first, then the assessment, then the reason
    for the visit (`tools.note_sections.diagnosis_sections`); None when the note has none.
    """
    sections = diagnosis_sections(note)
    if not sections:
        return None
    best = min(sections, key=lambda s: s.rank)
    units = statement_units(note, best)
    return units[0] if units else None


def stated_leads(
    note: str,
    statement: tuple[int, int],
    descriptions: Mapping[str, str],
    unsaid: Sequence[tuple[int, int]] = (),
) -> list[str]:
    """Return the codes (in the given order) whose description a statement states, that can lead.

    A statement states a code when its words, negated phrases out, state two thirds of the
    code's description (`tools.abnormal_findings.coverage`). The ``unsaid`` spans are the
    mentions the note does not assert (negated, uncertain outside inpatient care: OCG IV.H):
    "probable pneumonia vs acute bronchitis" states neither.
    """
    start, end = statement
    text = "".join(
        " " if any(a <= i < b for a, b in unsaid) else char
        for i, char in enumerate(note[start:end], start)
    )
    stems = note_words(negated_out(text))
    return [
        code
        for code, text in descriptions.items()
        if can_lead(code) and coverage(text, stems) >= _STATES
    ]


def stated_reason(
    codes: Sequence[str],
    starts: Mapping[str, Sequence[int]],
    note: str,
    descriptions: Mapping[str, str] | None = None,
) -> tuple[str, DiagnosisSection] | None:
    """Return the code the note states first as its diagnosis, and the section it is in.

    Args:
        codes: The final codes, best first.
        starts: Each code's evidence positions (character offsets) in the note.
        note: The note's text.
        descriptions: Each code's description, to read which codes a statement names.

    Returns:
        The code and its section, or None when no diagnosis section states one of the codes.
    """
    sections = diagnosis_sections(note)
    for rank in sorted({s.rank for s in sections}):
        for section in (s for s in sections if s.rank == rank):
            found = _first_stated(codes, starts, note, section, descriptions or {})
            if found is not None:
                return found, section
    return None


def own_problems(
    codes: Sequence[str],
    starts: Mapping[str, Sequence[int]],
    note: str,
    descriptions: Mapping[str, str],
) -> frozenset[str]:
    """Return the symptoms the provider states as problems of their own.

    A chapter 18 code a statement of a diagnosis or assessment section states (its evidence
    lies there, or the statement states its description) where no other chapter's diagnosis
    is stated: "ED Dx: Chest pain, unspecified" with the hypertension in the history, "Acute
    cough and fever, probable pneumonia" outside inpatient care. The provider established no
    diagnosis for it (OCG IV.D), and a symptom not routine for the conditions stated elsewhere
    is coded (OCG I.B.6).

    Args:
        codes: The final codes.
        starts: Each code's evidence positions (character offsets) in the note.
        note: The note's text.
        descriptions: Each code's description.
    """
    found: set[str] = set()
    for section in diagnosis_sections(note):
        if section.rank >= _REASON_RANK:
            continue
        for unit in statement_units(note, section):
            stems = note_words(negated_out(note[unit[0] : unit[1]]))
            stated = _stated_in(codes, unit, stems, starts, descriptions)
            if all(c[0] in "RZVWXY" for c in stated):
                found |= {c for c in stated if c[0] == "R"}
    return frozenset(found)


def _stated_in(
    codes: Sequence[str],
    unit: tuple[int, int],
    stems: frozenset[str],
    starts: Mapping[str, Sequence[int]],
    descriptions: Mapping[str, str],
) -> list[str]:
    """Return the codes a statement states, in their order.

    Their evidence lies in it (``unit``), or its words (``stems``) state two thirds of their
    description.
    """
    start, end = unit
    return [
        code
        for code in codes
        if any(start <= p < end for p in starts.get(code, ()))
        or coverage(descriptions.get(code, ""), stems) >= _STATES
    ]


def reason_first(
    codes: list[str],
    starts: Mapping[str, Sequence[int]],
    note: str,
    descriptions: Mapping[str, str] | None = None,
) -> tuple[list[str], list[Check]]:
    """Move the code the note states first as its diagnosis to the front of the list.

    Args:
        codes: The final codes, best first.
        starts: Each code's evidence positions (character offsets) in the note.
        note: The note's text.
        descriptions: Each code's description, to read which codes a statement names.

    Returns:
        The codes in their new order and the record of the move (empty when nothing moved).
    """
    found = stated_reason(codes, starts, note, descriptions)
    if found is None or found[0] == codes[0]:
        return codes, []
    lead, section = found
    check = Check(
        rule=REASON_FIRST,
        codes=[lead, codes[0]],
        action=f"moved {lead} before {codes[0]}",
        detail=f"{lead} is the first diagnosis the note states under '{section.heading}'.",
    )
    return [lead, *[c for c in codes if c != lead]], [check]
