"""Render what a coder reads in the Tabular List and the Guidelines, within a prompt budget."""

from __future__ import annotations

import re

from icd_resources import GuidelinesUnavailableError, IcdResources, NoteKind

_CODE_REF_RE = re.compile(
    r"\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(-?)(?:\s*-\s*([A-Z][0-9]"
    r"[0-9A-Z](?:\.[0-9A-Z]{1,4})?))?"
)
_DETAIL_KINDS = (
    NoteKind.INCLUSION_TERM,
    NoteKind.EXCLUDES1,
    NoteKind.CODE_FIRST,
    NoteKind.USE_ADDITIONAL_CODE,
    NoteKind.CODE_ALSO,
    NoteKind.SEVEN_CHR_NOTE,
)
_LABELS = {
    NoteKind.INCLUSION_TERM: "includes",
    NoteKind.EXCLUDES1: "Excludes1",
    NoteKind.CODE_FIRST: "Code first",
    NoteKind.USE_ADDITIONAL_CODE: "Use additional code",
    NoteKind.CODE_ALSO: "Code also",
    NoteKind.SEVEN_CHR_NOTE: "7th character",
}
# General guidelines the reconciler needs: conventions on excludes, etiology/manifestation,
# code also, multiple coding, acute/chronic, combination codes, sequela, signs and symptoms.
RECONCILER_SECTIONS = (
    "I.A.12",
    "I.A.13",
    "I.A.17",
    "I.B.4",
    "I.B.5",
    "I.B.7",
    "I.B.8",
    "I.B.9",
    "I.B.10",
)


def code_details(icd: IcdResources, code: str, max_chars: int = 400) -> str:
    """Summarize a code's inclusion terms and instructional notes (from the code upwards)."""
    parts: list[str] = []
    for note in icd.notes_for(code, kinds=set(_DETAIL_KINDS)):
        if note.origin.startswith("Chapter"):
            continue  # chapter notes are in the chapter guideline
        parts.append(f"{_LABELS[note.kind]}: {note.text}")
    text = "; ".join(parts)
    return text if len(text) <= max_chars else text[: max_chars - 3] + "..."


def code_refs(text: str) -> list[tuple[str, str | None, bool]]:
    """Find code references in a note: (code, range end or None, incomplete '-')."""
    return [(m.group(1), m.group(3), bool(m.group(2))) for m in _CODE_REF_RE.finditer(text)]


def refers_to(text: str, code: str) -> bool:
    """Say whether an instructional note's text names ``code``: itself, an ancestor or a range.

    "(E10.-)" names every E10 code; "(N18.1-N18.6)" and "(D56-D76)" name the codes in between.
    """
    bare = code.replace(".", "")
    for first, last, _incomplete in code_refs(text):
        low = first.replace(".", "")
        if last:
            high = last.replace(".", "")
            if low <= bare[: len(low)] and bare[: len(high)] <= high:
                return True
        elif bare.startswith(low):
            return True
    return False


def chapter_guidelines(icd: IcdResources, chapter: int, codes: list[str], budget: int) -> str:
    """Return the chapter's guideline text within ``budget`` characters, most relevant first.

    The chapter's own introduction comes first, then the subsections that name one of the
    candidates' categories, then the others in document order until the budget is spent.
    """
    try:
        head = icd.guideline_for_chapter(chapter)
    except GuidelinesUnavailableError as exc:
        return f"(Guidelines unavailable: {exc})"
    sections = [s for s in icd.guideline_sections() if s.id.startswith(head.id + ".")]
    own = next((s for s in icd.guideline_sections() if s.id == head.id), head)
    categories = {c[:3] for c in codes}
    relevant = [s for s in sections if any(cat in s.text for cat in categories)]
    rest = [s for s in sections if s not in relevant]
    return _fill([own.text, *(s.text for s in relevant), *(s.text for s in rest)], budget)


def general_guidelines(icd: IcdResources, budget: int) -> str:
    """Return the general conventions the reconciler applies, within ``budget`` characters."""
    try:
        texts = [icd.guideline(section).text for section in RECONCILER_SECTIONS]
    except GuidelinesUnavailableError as exc:
        return f"(Guidelines unavailable: {exc})"
    return _fill(texts, budget)


def _fill(texts: list[str], budget: int) -> str:
    out: list[str] = []
    used = 0
    for text in texts:
        if used + len(text) > budget:
            if not out:
                out.append(text[:budget])
            break
        out.append(text)
        used += len(text) + 2
    return "\n\n".join(out)
