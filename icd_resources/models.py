"""Typed records of the ICD-10-CM release, shared by the parsers, the builder and the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FileKind(StrEnum):
    """The release files clh knows, told apart by their XML root and title, never their name."""

    TABULAR = "tabular"
    INDEX = "index"
    EINDEX = "eindex"
    DRUG = "drug"
    NEOPLASM = "neoplasm"
    GUIDELINES = "guidelines"


class IndexSource(StrEnum):
    """Where a searchable entry comes from.

    The four parts of the Alphabetic Index, or the Tabular List's own descriptions and
    inclusion terms (coders look codes up by description too; those entries live in the search
    collection only, not in the release's index).
    """

    INDEX = "index"
    EINDEX = "eindex"
    DRUG = "drug"
    NEOPLASM = "neoplasm"
    TABULAR = "tabular"


class NodeKind(StrEnum):
    """Levels of the Tabular List hierarchy."""

    CHAPTER = "chapter"
    BLOCK = "block"
    CATEGORY = "category"
    SUBCATEGORY = "subcategory"
    EXTENSION = "extension"  # a code completed with a 7th character


class NoteKind(StrEnum):
    """Instructional notes of the Tabular List (OCG I.A.10-I.A.17)."""

    INCLUSION_TERM = "inclusionTerm"
    INCLUDES = "includes"
    EXCLUDES1 = "excludes1"
    EXCLUDES2 = "excludes2"
    CODE_FIRST = "codeFirst"
    USE_ADDITIONAL_CODE = "useAdditionalCode"
    CODE_ALSO = "codeAlso"
    NOTES = "notes"
    SEVEN_CHR_NOTE = "sevenChrNote"
    VISUAL_IMPAIRMENT = "visualImpairment"


@dataclass(frozen=True, slots=True)
class ReleaseFile:
    """One file of the release, as the locator found it."""

    kind: FileKind
    path: str
    version: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Chapter:
    """A Tabular List chapter (``1`` ... ``22``)."""

    number: int
    description: str
    first: str
    last: str


@dataclass(frozen=True, slots=True)
class Block:
    """A Tabular List section, called a block here (``A00-A09``)."""

    id: str
    chapter: int
    description: str
    first: str
    last: str


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """One code of the Tabular List, 7th-character extensions included."""

    code: str
    description: str
    kind: NodeKind
    parent: str | None
    chapter: int
    block: str
    billable: bool
    depth: int


@dataclass(frozen=True, slots=True)
class Note:
    """An instructional note with where it comes from.

    ``origin`` is the code, block id or ``Chapter N`` the note is written under; a note written
    higher up applies to every code below it. ``heading`` is the lead-in of the list the note
    belongs to ("Use additional code to identify:", ", for adverse effects, the nature of the
    adverse effect, such as:"): an item is read with its heading, never alone.
    """

    kind: NoteKind
    text: str
    origin: str
    origin_kind: NodeKind
    heading: str = ""

    @property
    def is_heading(self) -> bool:
        """Say whether this note is the lead-in of a list (it ends with a colon)."""
        return self.text.rstrip().endswith(":")

    @property
    def full_text(self) -> str:
        """Return the note as a coder reads it: its heading, then its own text."""
        return f"{self.heading} {self.text}".strip() if self.heading else self.text


@dataclass(frozen=True, slots=True)
class SeventhCharacter:
    """One allowed 7th character and what it means, with the code that defines it."""

    char: str
    description: str
    origin: str


@dataclass(frozen=True, slots=True)
class IndexCode:
    """A code an index entry points to.

    ``role`` is ``code``, ``manif`` (sequence after the etiology, OCG I.A.13), ``seecat``,
    ``subcat`` or, for table cells, the column heading.
    """

    code: str
    role: str
    incomplete: bool


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One line of the Alphabetic Index, a drug-table cell or a neoplasm-table cell."""

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
    codes: tuple[IndexCode, ...] = field(default_factory=tuple)

    @property
    def display(self) -> str:
        """Render the entry as a coder reads it in the printed index."""
        parts = [self.path]
        if self.nemod:
            parts.append(self.nemod)
        line = " ".join(parts)
        codes = " ".join(
            f"[{c.code}{'-' if c.incomplete else ''}]"
            if c.role == "manif"
            else f"{c.code}{'-' if c.incomplete else ''}"
            for c in self.codes
        )
        if codes:
            line = f"{line} {codes}"
        if self.see:
            line = f"{line} - see {self.see}"
        if self.see_also:
            line = f"{line} - see also {self.see_also}"
        return line


@dataclass(frozen=True, slots=True)
class XrefTarget:
    """Where a ``see``/``see also`` instruction leads.

    ``exact`` is False when only a prefix of the target path could be found (the entry given is
    the deepest one that matched), or when the target is a generic instruction like "condition".
    """

    kind: str  # "see" or "seeAlso"
    text: str
    entry_id: int | None
    exact: bool


@dataclass(frozen=True, slots=True)
class GuidelineSection:
    """A section of the Official Guidelines (``I.C.2``), with its own text and its subsections'."""

    id: str
    title: str
    level: int
    page: int
    text: str
