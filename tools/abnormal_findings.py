"""Codes whose only evidence is an observation, a result or a complaint, not a diagnosis.

OCG III.B: "Abnormal findings (laboratory, x-ray, pathologic, and other diagnostic results)
are not coded and reported unless the provider indicates their clinical significance." A code
whose every evidence span lies in the exam, the review of systems, the vitals, the labs or the
imaging (`tools.note_sections.FINDING_SECTIONS`) has no such statement behind it; the same
words in the history, the course or the assessment are the provider's. So is the provider's
own naming of what the result showed: "XR: displaced intertrochanteric fracture of the R femur"
then "A/P: closed displaced R intertrochanteric femur fx" is a stated fracture, though the
mention reader took its evidence from the imaging line; the code stays when the note outside
those sections states at least two thirds of its description's words. A result read anywhere
is one too: "lactate 1.4", "glucose 160-210" in a history or a plan are a test's value, and the
acidosis or hyperglycemia they might mean is the provider's to state (a word naming the code,
"fever 38.3", is a statement of the fever, not a result; a BMI's Z68 code is read from its
value by rule, OCG I.C.21.c.3).

OCG I.C.18: symptom codes "are acceptable for reporting purposes when a related definitive
diagnosis has not been established (confirmed) by the provider"; I.C.18.b: one routinely
associated with a diagnosis is not coded beside it. Where a note lists its diagnoses under
headings, a symptom the provider does not list there is the presentation the diagnoses explain
(the fever and cough of a pneumonia), not a code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from tools.index_modifiers import note_words
from tools.note_sections import finding_sections, is_heading, stated_sections
from tools.rival_specifics import description_words, is_stated, negated_out
from tools.words import content_words

ABNORMAL_FINDINGS = "Abnormal findings are coded when the provider states them (OCG III.B)"
UNSTATED_SYMPTOMS = "Symptoms are coded when no stated diagnosis explains them (OCG I.C.18)"


def findings_only(
    codes: Sequence[str],
    starts: Mapping[str, Sequence[int]],
    note: str,
    descriptions: Mapping[str, str] | None = None,
) -> list[str]:
    """Return the codes whose evidence is all observations and results.

    Args:
        codes: The final codes.
        starts: Each code's evidence positions in the note; a code with none is not returned.
        note: The note's text.
        descriptions: Each code's description. With them, a test's value read anywhere
            (:func:`is_reading`) is a result too, and a code whose description the note
            states outside the sections of results is the provider's and is not returned.
    """
    sections = finding_sections(note)
    if not sections and not descriptions:
        return []

    def observed(code: str, position: int) -> bool:
        in_section = any(start <= position < end for start, end in sections)
        return in_section or (
            descriptions is not None
            and not code.startswith("Z")
            and is_reading(note, position, descriptions.get(code, ""))
        )

    found = [c for c in codes if starts.get(c) and all(observed(c, p) for p in starts[c])]
    if not descriptions or not found:
        return found
    provider = note_words(negated_out(_outside(note, sections)))
    return [c for c in found if not restated(descriptions.get(c, ""), provider)]


_VALUE = re.compile(r"([A-Za-z][\w/-]+)(?![\w/-])[ \t]*[:=]?[ \t]*[<>]?[ \t]*\d")
"""A word followed by its value: "lactate 5.1", "WBC: 14"; not a size ("a mass of 8 cm")."""


def is_reading(note: str, position: int, description: str) -> bool:
    """Say whether the evidence at ``position`` is a test's value, not a name of the code.

    Args:
        note: The note's text.
        position: Where the evidence starts.
        description: The code's description: "fever 38.3" names R50.9's fever.
    """
    match = _VALUE.match(note, position)
    if match is None or is_heading(match.group(1)):  # "HPI: 49 yo M", not a value
        return False
    named = frozenset(description_words(description))
    return not any(is_stated(stem, named) for stem in content_words(match.group(1)))


def restated(description: str, provider_stems: frozenset[str]) -> bool:
    """Say whether the provider's words state at least two thirds of a code's description."""
    return coverage(description, provider_stems) >= 2 / 3


def coverage(description: str, stems: frozenset[str]) -> float:
    """Return the share of a description's words (those a note must state) the stems state."""
    words = description_words(description)
    if not words:
        return 0.0
    return sum(is_stated(stem, stems) for stem in words) / len(words)


def _outside(note: str, sections: Sequence[tuple[int, int]]) -> str:
    kept = list(note)
    for start, end in sections:
        kept[start:end] = " " * (end - start)
    return "".join(kept)


def unstated_symptoms(
    symptoms: Sequence[str], evidence: Mapping[str, Sequence[tuple[int, str]]], note: str
) -> list[str]:
    """Return the symptom codes the note's stated diagnoses leave out.

    Args:
        symptoms: The final codes that are symptoms (chapter 18).
        evidence: Each code's evidence as (position, words); a code with none is not returned.
            Words found again in a stated section count as stated there too (one mention of a
            code is its evidence; the note may state the symptom twice).
        note: The note's text; with no diagnosis heading, nothing is returned.
    """
    sections = stated_sections(note)
    if not sections:
        return []
    stated_text = " ".join(note[start:end].lower() for start, end in sections)

    def stated(position: int, words: str) -> bool:
        return any(start <= position < end for start, end in sections) or (
            words.strip().lower() in stated_text
        )

    return [c for c in symptoms if evidence.get(c) and not any(stated(*e) for e in evidence[c])]
