"""Readable renderings of release facts for the terminal: the code card and the stats table."""

from __future__ import annotations

from typing import Any

from icd_resources import IcdResources, NoteKind

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
    card["text"] = "\n".join(lines)
    return card


def stats_text(data: dict[str, Any]) -> str:
    """Render ``IcdResources.stats()`` as aligned text."""
    lines = [
        f"ICD-10-CM release {data['release']}  (artifact built {data['built_at']} in "
        f"{data['build_seconds']:.1f} s)",
        "",
        "Files:",
    ]
    for file in data["files"]:
        lines.append(f"  {file['kind']:<11} v{file['version'] or '?':<5} {file['path']}")
    for skipped in data["skipped"]:
        lines.append(f"  skipped     {skipped['path']}: {skipped['reason']}")
    for problem in data["problems"]:
        lines.append(f"  PROBLEM     {problem['kind']}: {problem['message']}")
    tab = data["tabular"]
    lines += [
        "",
        "Tabular List:",
        f"  chapters {tab['chapters']}, blocks {tab['blocks']}, billable codes {tab['billable']}",
    ]
    lines.append(
        "  codes: " + ", ".join(f"{k} {v}" for k, v in sorted(tab["codes_by_kind"].items()))
    )
    lines.append(
        "  notes: " + ", ".join(f"{k} {v}" for k, v in sorted(tab["notes_by_kind"].items()))
    )
    lines.append(f"  7th-character definitions: {tab['seventh_character_definitions']}")
    idx = data["index"]
    lines += ["", "Alphabetic Index:"]
    for source, count in sorted(idx["entries_by_source"].items()):
        lines.append(
            f"  {source:<9} entries {count:>6}, codes {idx['codes_by_source'].get(source, 0):>6}"
        )
    lines.append(
        "  code roles: " + ", ".join(f"{k} {v}" for k, v in sorted(idx["code_roles"].items()))
    )
    lines.append(
        f"  incomplete codes {idx['incomplete_codes']}, nemod {idx['nemod']}, "
        f"see {idx['see']}, see also {idx['see_also']}"
    )
    lines.append(
        f"  cross-references resolved exactly {idx['xrefs_resolved_exactly']}, partly "
        f"{idx['xrefs_resolved_partly']}, generic ('see condition') {idx['xrefs_generic']}"
    )
    gl = data["guidelines"]
    lines += [
        "",
        f"Guidelines: {gl['sections']} sections, {gl['chapters_mapped']} chapters mapped to I.C.N"
        if gl["sections"]
        else "Guidelines: not available",
    ]
    return "\n".join(lines)
