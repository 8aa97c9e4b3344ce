"""Where a note states its diagnoses: the sections a coder reads the first-listed code from.

A coder takes the principal (inpatient, OCG II) or first-listed (outpatient, OCG IV.G)
diagnosis from the provider's own statement of it: the principal or discharge diagnosis, the
postoperative diagnosis, the assessment or impression; failing those, the reason for the visit.
This module finds those sections by their headings; it knows nothing of codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"(?m)^[ \t]*([A-Za-z][A-Za-z /&().'-]{0,40}?)[ \t]*(?::|$)")
"""A line that opens with words then a colon, or words alone on their line: a heading when the
words are one of the known section names below ("HTN: continue lisinopril" in a plan is not)."""

# Headings by rank: 0 the provider's final word on the diagnosis, 1 the working assessment,
# 2 the reason the patient came. Compared without case, spaces or punctuation.
_RANKS: dict[str, int] = {
    **dict.fromkeys(
        [
            "principal diagnosis",
            "principal dx",
            "principal",
            "primary",
            "primary diagnosis",
            "primary dx",
            "discharge diagnosis",
            "discharge diagnoses",
            "discharge dx",
            "final diagnosis",
            "final diagnoses",
            "final dx",
            "postoperative diagnosis",
            "postoperative diagnoses",
            "post-operative diagnosis",
            "postop diagnosis",
            "post-op diagnosis",
            "postoperative dx",
            "post-operative dx",
            "postop dx",
            "post-op dx",
            "diagnosis",
            "diagnoses",
            "dx",
            "ed diagnosis",
            "ed diagnoses",
            "ed dx",
        ],
        0,
    ),
    **dict.fromkeys(
        [
            "assessment",
            "assessment and plan",
            "assessment & plan",
            "assessment/plan",
            "a/p",
            "a&p",
            "impression",
            "impression and plan",
            "impression/plan",
            "clinical impression",
        ],
        1,
    ),
    **dict.fromkeys(
        [
            "chief complaint",
            "cc",
            "reason for visit",
            "reason for admission",
            "reason for encounter",
            "reason for consultation",
            "indication",
            "indications",
            "preoperative diagnosis",
            "pre-operative diagnosis",
            "preop diagnosis",
            "pre-op diagnosis",
            "preoperative dx",
            "pre-operative dx",
            "preop dx",
            "pre-op dx",
        ],
        2,
    ),
}


FINDING_SECTIONS = frozenset(
    [
        "review of systems",
        "ros",
        "physical exam",
        "physical examination",
        "exam",
        "examination",
        "discharge exam",
        "vitals",
        "vital signs",
        "labs",
        "laboratory",
        "pertinent results",
        "results",
        "imaging",
    ]
)
"""Sections of observations and results, not the provider's diagnostic statement (OCG III.B).
A procedure's "Findings" are the interpreting provider's own statement and are not here."""

_OTHER_NAMES = FINDING_SECTIONS | frozenset(  # each ends the diagnosis section before it
    [
        "history of present illness",
        "hpi",
        "history",
        "past medical history",
        "pmh",
        "psh",
        "past surgical history",
        "medications",
        "meds",
        "home medications",
        "discharge medications",
        "discharge meds",
        "allergies",
        "social history",
        "social",
        "family history",
        "fhx",
        "findings",
        "procedure",
        "procedures",
        "plan",
        "disposition",
        "dispo",
        "follow-up",
        "follow up",
        "f/u",
        "hospital course",
        "course",
        "ed course",
        "consults",
        "diet",
        "activity",
        "condition at discharge",
        "code status",
        "instructions",
        "discharge instructions",
        "secondary",
        "secondary diagnoses",
        "other diagnoses",
    ]
)


@dataclass(frozen=True, slots=True)
class DiagnosisSection:
    """A stretch of the note under a diagnosis heading."""

    heading: str
    rank: int
    """0: a stated final diagnosis; 1: an assessment or impression; 2: the reason for the visit."""
    start: int
    end: int


_KNOWN = frozenset(_RANKS) | _OTHER_NAMES


def is_heading(words: str) -> bool:
    """Say whether the words are a section heading this module knows ("HPI", "Assessment")."""
    return _key(words) in _KNOWN


def _key(heading: str) -> str:
    return " ".join(heading.lower().replace("-", " - ").split()).replace(" - ", "-")


def _sections(note: str) -> list[tuple[str, str, int, int]]:
    """Return (heading, key, start, end) for each known heading, up to the next one."""
    headings = [m for m in _HEADING.finditer(note) if _key(m.group(1)) in _KNOWN]
    return [
        (
            match.group(1).strip(),
            _key(match.group(1)),
            match.end(),
            headings[i + 1].start() if i + 1 < len(headings) else len(note),
        )
        for i, match in enumerate(headings)
    ]


def diagnosis_sections(note: str) -> list[DiagnosisSection]:
    """Return the note's diagnosis sections in note order, each up to the next known heading.

    Args:
        note: The note's text.

    Returns:
        One section per diagnosis heading; a heading of another kind ends the one before it.
    """
    return [
        DiagnosisSection(heading, _RANKS[key], start, end)
        for heading, key, start, end in _sections(note)
        if key in _RANKS
    ]


_LISTED = frozenset(["secondary", "secondary diagnoses", "other diagnoses"])
"""Diagnoses the provider lists after the principal one: stated, though never first-listed."""


def stated_sections(note: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each section where the provider states diagnoses.

    The principal, discharge, final and secondary diagnoses, the assessment and the
    impression; not the reason for the visit (a complaint, before any diagnosis).
    """
    return [
        (start, end)
        for _, key, start, end in _sections(note)
        if _RANKS.get(key, 2) < 2 or key in _LISTED
    ]


def finding_sections(note: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each section of observations and results (exam, ROS, labs)."""
    return [(start, end) for _, key, start, end in _sections(note) if key in FINDING_SECTIONS]


_ITEM = re.compile(r"(?m)^[ \t]*(?:#\s*\d+|\d+[.)])[ \t]")
"""A numbered problem: "1. ", "2) ", "#3 " at the start of a line."""
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)|\n")


def statement_units(note: str, section: DiagnosisSection) -> list[tuple[int, int]]:
    """Return the section's statements in the order a coder reads them for the lead diagnosis.

    A numbered problem list is the provider's order of importance: its items come first, each
    whole, then the sentences outside it ("74M w/ COPD, T2DM, admitted with pneumonia" above
    "1. Pneumonia" summarises the history first). With no numbered list, the sentences in order.

    Returns:
        (start, end) of each statement, in note offsets.
    """
    items = [m.start() for m in _ITEM.finditer(note, section.start, section.end)]
    if not items:
        return _sentences(note, section.start, section.end)
    bounds = [*items, section.end]
    numbered = list(zip(bounds, bounds[1:], strict=False))
    return numbered + _sentences(note, section.start, items[0])


def _sentences(note: str, start: int, end: int) -> list[tuple[int, int]]:
    ends = [start, *(m.end() for m in _SENTENCE_END.finditer(note, start, end)), end]
    return [(a, b) for a, b in zip(ends, ends[1:], strict=False) if note[a:b].strip()]
