"""Parse the Alphabetic Index files (root ``<ICD10CM.index>``) into flat entries.

One parser serves the four sources: the Index to Diseases and Injuries, the External Cause
Index, and the two tables (Drugs and Chemicals, Neoplasms), whose ``<cell>`` columns become
entries of their own so that "warfarin, adverse effect" is a path with one code.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from icd_resources.codes import split_index_code
from icd_resources.errors import ReleaseFileError
from icd_resources.models import IndexCode, IndexSource
from icd_resources.xml_source import clean, parse_xml, text_of, title_and_nemod


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """An index entry before it is stored; ``codes`` are stored in their own table."""

    id: int
    source: IndexSource
    parent_id: int | None
    level: int
    title: str
    nemod: str
    path: str
    see: str
    see_also: str
    manif_text: str
    warning: str
    column: str
    codes: tuple[IndexCode, ...]


@dataclass
class IndexData:
    """Entries of one index source, with the table's column headings where it has them."""

    source: IndexSource
    version: str
    columns: dict[str, str] = field(default_factory=dict)
    entries: list[EntryRecord] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)
    """The titles of the file's ``<letter>`` sections, in order."""


def parse_index(path: Path, source: IndexSource, start_id: int) -> IndexData:
    """Parse one index file; entry ids start at ``start_id`` so sources never share an id.

    Raises:
        ReleaseFileError: for broken XML or an index with no main terms.

    """
    root = parse_xml(path, "ICD10CM.index")
    data = IndexData(source=source, version=clean(root.findtext("version")))
    for head in root.findall("indexHeading/head"):
        col = head.get("col", "")
        if col and col != "1":
            data.columns[col] = text_of(head)
    walker = _Walker(data, start_id)
    for letter in root.findall("letter"):
        data.letters.append(text_of(letter.find("title")))
        for main in letter.findall("mainTerm"):
            walker.walk(main, parent=None, level=0, parent_path="")
    if not data.entries:
        raise ReleaseFileError(path, "the index holds no <mainTerm>")
    return data


class _Walker:
    def __init__(self, data: IndexData, start_id: int) -> None:
        self.data = data
        self.next_id = start_id

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def walk(self, elem: ET.Element, parent: int | None, level: int, parent_path: str) -> None:
        title, nemod = title_and_nemod(elem.find("title"))
        if not title and elem.find("diff") is not None:
            title = text_of(elem.find("diff"))
        path = f"{parent_path}, {title}" if parent_path else title
        codes: list[IndexCode] = []
        manif_text = ""
        for tag, role in (("code", "code"), ("seecat", "seecat"), ("subcat", "subcat")):
            for code_elem in elem.findall(tag):
                parsed = split_index_code(text_of(code_elem))
                if parsed:
                    # "see category"/"see subcategory" always need completing in the tabular.
                    incomplete = parsed[1] or role != "code"
                    codes.append(IndexCode(parsed[0], role, incomplete))
        for manif in elem.findall("manif"):
            parsed = split_index_code(text_of(manif))
            if parsed:
                codes.append(IndexCode(parsed[0], "manif", parsed[1]))
            else:
                manif_text = text_of(manif)
        entry_id = self._new_id()
        self.data.entries.append(
            EntryRecord(
                entry_id,
                self.data.source,
                parent,
                level,
                title,
                nemod,
                path,
                text_of(elem.find("see")),
                text_of(elem.find("seeAlso")),
                manif_text,
                text_of(elem.find("warning")),
                "",
                tuple(codes),
            )
        )
        for cell in elem.findall("cell"):
            self._cell(cell, entry_id, level, path)
        for term in elem.findall("term"):
            try:
                child_level = int(term.get("level", level + 1))
            except ValueError:
                child_level = level + 1
            self.walk(term, entry_id, child_level, path)

    def _cell(self, cell: ET.Element, row_id: int, level: int, row_path: str) -> None:
        parsed = split_index_code(text_of(cell))
        if parsed is None:  # "--" and "-": no code in this column
            return
        column = self.data.columns.get(cell.get("col", ""), f"column {cell.get('col', '?')}")
        label = column.lower()
        self.data.entries.append(
            EntryRecord(
                self._new_id(),
                self.data.source,
                row_id,
                level + 1,
                label,
                "",
                f"{row_path}, {label}",
                "",
                "",
                "",
                "",
                column,
                (IndexCode(parsed[0], column, parsed[1]),),
            )
        )
