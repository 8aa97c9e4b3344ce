"""Guideline fetch: Official Guidelines sections by id or by chapter, within a text budget."""

from __future__ import annotations

from icd_resources import GuidelinesUnavailableError, IcdResources

# General conventions the reconciler applies, most decisive first (packed in this order within
# the budget): excludes notes (I.A.12), etiology/manifestation (I.A.13), combination codes
# (I.B.9), "with" (I.A.15), acute and chronic (I.B.8), signs and symptoms (I.B.4, I.B.5),
# sequela (I.B.10), code also (I.A.17), multiple coding (I.B.7), laterality (I.B.13).
RECONCILER_SECTIONS = (
    "I.A.12",
    "I.A.13",
    "I.B.9",
    "I.A.15",
    "I.B.8",
    "I.B.4",
    "I.B.5",
    "I.B.10",
    "I.A.17",
    "I.B.7",
    "I.B.13",
)


def guideline_section(icd: IcdResources, section_id: str, budget: int = 6000) -> str:
    """Return one section (with its subsections) as text, cut to ``budget`` characters.

    Raises:
        GuidelinesUnavailableError: when the release has no guidelines or no such section.
    """
    section = icd.guideline(section_id)
    return pack_sections([f"{section.id} {section.title}\n{section.text}"], budget)


def chapter_guidelines(icd: IcdResources, chapter: int, codes: list[str], budget: int) -> str:
    """Return the chapter's guideline text within ``budget`` characters, most relevant first.

    The chapter's own introduction comes first, then the subsections that name one of the
    candidates' categories, then the others in document order while they fit.
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
    return pack_sections([own.text, *(s.text for s in relevant), *(s.text for s in rest)], budget)


def general_guidelines(icd: IcdResources, budget: int) -> str:
    """Return the general conventions the reconciler applies, within ``budget`` characters."""
    try:
        texts = [icd.guideline(section).text for section in RECONCILER_SECTIONS]
    except GuidelinesUnavailableError as exc:
        return f"(Guidelines unavailable: {exc})"
    return pack_sections(texts, budget)


def pack_sections(texts: list[str], budget: int) -> str:
    """Join texts in their order of priority, skipping any that does not fit the budget.

    A long section does not block the shorter ones after it; the first text is cut to the
    budget only when nothing else fits.
    """
    out: list[str] = []
    used = 0
    for text in texts:
        cost = len(text) + (2 if out else 0)
        if used + cost <= budget:
            out.append(text)
            used += cost
    if not out and texts:
        out.append(texts[0][:budget])
    return "\n\n".join(out)
