"""Codes whose only evidence is an observation or a result, not the provider's diagnosis.

OCG III.B: "Abnormal findings (laboratory, x-ray, pathologic, and other diagnostic results)
are not coded and reported unless the provider indicates their clinical significance." A code
whose every evidence span lies in the exam, the review of systems, the vitals, the labs or the
imaging (`tools.note_sections.FINDING_SECTIONS`) has no such statement behind it; the same
words in the history, the course or the assessment are the provider's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tools.note_sections import finding_sections

ABNORMAL_FINDINGS = "Abnormal findings are coded when the provider states them (OCG III.B)"


def findings_only(
    codes: Sequence[str], starts: Mapping[str, Sequence[int]], note: str
) -> list[str]:
    """Return the codes whose evidence all lies in sections of observations and results.

    Args:
        codes: The final codes.
        starts: Each code's evidence positions in the note; a code with none is not returned.
        note: The note's text.
    """
    sections = finding_sections(note)
    if not sections:
        return []

    def observed(position: int) -> bool:
        return any(start <= position < end for start, end in sections)

    return [c for c in codes if starts.get(c) and all(observed(p) for p in starts[c])]
