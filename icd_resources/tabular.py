"""Parse the Tabular List XML (root ``<ICD10CM.tabular>``) into flat typed records.

Instructional notes are kept where they are written (chapter, block or code) with their
origin; the store walks a code's ancestors to gather the notes that apply to it (OCG I.A.12,
I.A.13: notes at a category apply to all its codes).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from icd_resources.codes import with_seventh_character
from icd_resources.errors import ReleaseFileError
from icd_resources.models import Block, Chapter, CodeInfo, NodeKind, NoteKind
from icd_resources.xml_source import clean, parse_xml, text_of

_NOTE_TAGS = {kind.value: kind for kind in NoteKind}
_RANGE_RE = re.compile(r"\(([A-Z][0-9A-Z][0-9A-Z])-([A-Z][0-9A-Z][0-9A-Z])\)\s*$")
# A tabular note can withhold 7th characters from some codes, e.g. S06: "7th characters D and S
# do not apply to codes in category S06 with 6th character 7 - death ..., or 8 - death ...".
_SEVENTH_EXCEPTION_RE = re.compile(
    r"7th characters? ((?:[A-Z](?:,? and |,? or |, )?)+) do(?:es)? not apply to codes\b.*?"
    r"with 6th character (.*)$"
)


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """A note as written in the file: its owner (code, block id or ``Chapter N``) and order."""

    owner: str
    owner_kind: NodeKind
    kind: NoteKind
    text: str
    seq: int


@dataclass(frozen=True, slots=True)
class SeventhRecord:
    """A ``sevenChrDef`` extension as written under its owner."""

    owner: str
    char: str
    description: str


@dataclass
class TabularData:
    """Everything parsed from the Tabular List."""

    version: str
    chapters: list[Chapter] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    codes: list[CodeInfo] = field(default_factory=list)
    notes: list[NoteRecord] = field(default_factory=list)
    seventh: list[SeventhRecord] = field(default_factory=list)


def parse_tabular(path: Path) -> TabularData:
    """Parse a Tabular List file.

    Raises:
        ReleaseFileError: for broken XML, or a file with no chapters.

    """
    root = parse_xml(path, "ICD10CM.tabular")
    data = TabularData(version=clean(root.findtext("version")))
    for chapter_elem in root.findall("chapter"):
        _parse_chapter(chapter_elem, data, path)
    if not data.chapters:
        raise ReleaseFileError(path, "the Tabular List holds no <chapter>")
    return data


def _parse_chapter(elem: ET.Element, data: TabularData, path: Path) -> None:
    try:
        number = int(clean(elem.findtext("name")))
    except ValueError as exc:
        raise ReleaseFileError(path, f"chapter with a non-numeric <name>: {exc}") from exc
    description = clean(elem.findtext("desc"))
    match = _RANGE_RE.search(description)
    sections = elem.findall("section")
    first = match.group(1) if match else (sections[0].get("id", "")[:3] if sections else "")
    last = match.group(2) if match else (sections[-1].get("id", "")[-3:] if sections else "")
    data.chapters.append(Chapter(number, description, first, last))
    owner = f"Chapter {number}"
    _collect_notes(elem, owner, NodeKind.CHAPTER, data)
    for section in sections:
        _parse_block(section, number, data)


def _parse_block(elem: ET.Element, chapter: int, data: TabularData) -> None:
    block_id = elem.get("id", "").strip()
    first, _, last = block_id.partition("-")
    data.blocks.append(Block(block_id, chapter, clean(elem.findtext("desc")), first, last or first))
    _collect_notes(elem, block_id, NodeKind.BLOCK, data)
    inherited = _seventh_defs(elem, block_id, data)
    for diag in elem.findall("diag"):
        _parse_diag(diag, None, chapter, block_id, 1, inherited, data)


def _parse_diag(
    elem: ET.Element,
    parent: str | None,
    chapter: int,
    block: str,
    depth: int,
    seventh: _Seventh | None,
    data: TabularData,
) -> None:
    code = clean(elem.findtext("name"))
    description = clean(elem.findtext("desc"))
    kind = NodeKind.CATEGORY if len(code) == 3 else NodeKind.SUBCATEGORY
    seventh = _seventh_defs(elem, code, data) or seventh
    children = elem.findall("diag")
    # OCG I.A.5: where a 7th character applies, the 6-character code is not complete.
    billable = not children and seventh is None
    data.codes.append(CodeInfo(code, description, kind, parent, chapter, block, billable, depth))
    _collect_notes(elem, code, kind, data)
    for child in children:
        _parse_diag(child, code, chapter, block, depth + 1, seventh, data)
    if not children and seventh is not None:
        withheld = seventh[2].get(code.replace(".", "")[5:6], set())
        for record in seventh[1]:
            if record.char in withheld:
                continue
            data.codes.append(
                CodeInfo(
                    with_seventh_character(code, record.char),
                    f"{description}, {record.description}",
                    NodeKind.EXTENSION,
                    code,
                    chapter,
                    block,
                    True,
                    depth + 1,
                )
            )


# (owner, allowed extensions, 6th character -> 7th characters withheld)
_Seventh = tuple[str, list[SeventhRecord], dict[str, set[str]]]


def _seventh_defs(elem: ET.Element, owner: str, data: TabularData) -> _Seventh | None:
    definition = elem.find("sevenChrDef")
    if definition is None:
        return None
    records = [
        SeventhRecord(owner, ext.get("char", "").strip().upper(), text_of(ext))
        for ext in definition.findall("extension")
        if ext.get("char", "").strip()
    ]
    data.seventh.extend(records)
    return (owner, records, _seventh_exceptions(elem)) if records else None


def _seventh_exceptions(elem: ET.Element) -> dict[str, set[str]]:
    withheld: dict[str, set[str]] = {}
    for note in elem.findall("notes/note"):
        match = _SEVENTH_EXCEPTION_RE.search(text_of(note))
        if not match:
            continue
        chars = set(re.findall(r"\b([A-Z])\b", match.group(1)))
        for sixth in re.findall(r"(?:^|, or |, | or )([0-9A-Z]) -", match.group(2)):
            withheld.setdefault(sixth, set()).update(chars)
    return withheld


def _collect_notes(elem: ET.Element, owner: str, owner_kind: NodeKind, data: TabularData) -> None:
    seq = 0
    for child in elem:
        kind = _NOTE_TAGS.get(child.tag)
        if kind is None:
            continue
        if kind is NoteKind.VISUAL_IMPAIRMENT:
            texts = [text_of(child)]
        else:
            # Some notes continue their heading ("Code first, for adverse effects, ...") and
            # start with the comma; the heading is the note kind, so drop the stray comma.
            texts = [text_of(note).lstrip(", ") for note in child.findall("note")]
        for text in texts:
            if text:
                data.notes.append(NoteRecord(owner, owner_kind, kind, text, seq))
                seq += 1
