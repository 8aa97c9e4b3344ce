"""Tabular look-up: a code's card (hierarchy, notes with origin, 7th characters, children).

What a coder checks in the Tabular List before assigning a code, as data and as text. Nodes,
the CLI and the LangChain tools all read the release through these functions.
"""

from __future__ import annotations

from typing import Any

from icd_resources import CodeInfo, IcdResources, IndexEntry, Note, NoteKind, SeventhCharacter

_NOTE_LABELS = {
    NoteKind.INCLUSION_TERM: "Inclusion term",
    NoteKind.INCLUDES: "Includes",
    NoteKind.EXCLUDES1: "Excludes1",
    NoteKind.EXCLUDES2: "Excludes2",
    NoteKind.CODE_FIRST: "Code first",
    NoteKind.USE_ADDITIONAL_CODE: "Use additional code",
    NoteKind.CODE_ALSO: "Code also",
    NoteKind.NOTES: "Note",
    NoteKind.SEVEN_CHR_NOTE: "7th character note",
    NoteKind.VISUAL_IMPAIRMENT: "Visual impairment table",
}
_MAX_LISTED = 12


def code_card(icd: IcdResources, code: str) -> dict[str, Any]:
    """Gather everything a coder checks about one code, plus its text rendering."""
    info = icd.lookup(code)
    chapter = icd.chapter_of(info.code)
    block = icd.block_of(info.code)
    lineage = list(reversed(icd.ancestors(info.code))) + [info]
    notes = icd.notes_for(info.code)
    seventh = icd.seventh_characters(info.code)
    leaves = [] if info.billable else icd.billable_descendants(info.code)
    entries = icd.entries_for_code(info.code)
    card: dict[str, Any] = {
        "code": info.code,
        "description": info.description,
        "kind": info.kind.value,
        "billable": info.billable,
        "release": icd.release,
        "chapter": {"number": chapter.number, "description": chapter.description},
        "block": {"id": block.id, "description": block.description},
        "hierarchy": [{"code": c.code, "description": c.description} for c in lineage],
        "notes": [{"kind": n.kind.value, "text": n.text, "origin": n.origin} for n in notes],
        "seventh_characters": [
            {"char": s.char, "description": s.description, "origin": s.origin} for s in seventh
        ],
        "billable_descendants": [c.code for c in leaves],
        "index_entries": [e.display for e in entries],
    }
    lines = [f"{info.code}  {info.description}", ""]
    lines.append(f"  Chapter {chapter.number}: {chapter.description}")
    lines.append(f"  Block {block.id}: {block.description}")
    for depth, node in enumerate(lineage):
        lines.append(f"  {'  ' * depth}{node.code}  {node.description}")
    if info.billable:
        lines.append("  Billable: yes (valid for submission)")
    elif icd.needs_seventh_character(info.code):
        lines.append("  Billable: no - needs a 7th character")
    else:
        lines.append(f"  Billable: no - choose one of {len(leaves)} billable codes below it")
    card["text"] = "\n".join(lines + _listings(notes, seventh, leaves, entries))
    return card


def _listings(
    notes: list[Note],
    seventh: list[SeventhCharacter],
    leaves: list[CodeInfo],
    entries: list[IndexEntry],
) -> list[str]:
    """Return a card's text below its hierarchy: notes, 7th characters, codes, index entries."""
    lines = []
    if notes:
        lines.append("")
        lines.append("  Instructional notes (origin in brackets):")
        for note in notes:
            lines.append(f"    {_NOTE_LABELS[note.kind]} [{note.origin}]: {note.text}")
    if seventh:
        lines.append("")
        lines.append(
            f"  7th characters (defined at {seventh[0].origin}; placeholder X pads "
            "to 6 characters):"
        )
        for choice in seventh:
            lines.append(f"    {choice.char}  {choice.description}")
    if leaves:
        lines.append("")
        shown = ", ".join(c.code for c in leaves[:_MAX_LISTED])
        more = f" ... (+{len(leaves) - _MAX_LISTED})" if len(leaves) > _MAX_LISTED else ""
        lines.append(f"  Billable codes below: {shown}{more}")
    if entries:
        lines.append("")
        lines.append("  Alphabetic Index entries that lead here:")
        for entry in entries[:_MAX_LISTED]:
            lines.append(f"    [{entry.source}] {entry.display}")
        if len(entries) > _MAX_LISTED:
            lines.append(f"    ... (+{len(entries) - _MAX_LISTED})")
    return lines


# What a validator needs to judge a candidate: inclusion terms and the notes that constrain it.
_DETAIL_ORDER = [
    NoteKind.EXCLUDES1,
    NoteKind.CODE_FIRST,
    NoteKind.USE_ADDITIONAL_CODE,
    NoteKind.INCLUSION_TERM,
    NoteKind.CODE_ALSO,
    NoteKind.SEVEN_CHR_NOTE,
]
_SHORT_LABELS = {
    NoteKind.INCLUSION_TERM: "includes",
    NoteKind.EXCLUDES1: "Excludes1",
    NoteKind.CODE_FIRST: "Code first",
    NoteKind.USE_ADDITIONAL_CODE: "Use additional code",
    NoteKind.CODE_ALSO: "Code also",
    NoteKind.SEVEN_CHR_NOTE: "7th character",
}


def code_details(icd: IcdResources, code: str, max_chars: int = 400) -> str:
    """Summarize a code's inclusion terms and instructional notes, most binding first.

    Excludes1, code first and use additional notes come before inclusion terms, code also
    and 7th-character notes, each kind from the code upwards, so that a cut at ``max_chars``
    drops the least binding text. Chapter-level notes are left to the chapter's guideline
    text; list lead-ins are read with their items.
    """
    notes = [
        n
        for n in icd.notes_for(code, kinds=set(_DETAIL_ORDER))
        if not n.origin.startswith("Chapter") and not n.is_heading
    ]
    notes.sort(key=lambda n: _DETAIL_ORDER.index(n.kind))  # stable: code first, then upwards
    text = "; ".join(f"{_SHORT_LABELS[n.kind]}: {n.full_text}" for n in notes)
    return text if len(text) <= max_chars else text[: max_chars - 3] + "..."
