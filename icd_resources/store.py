"""The typed, read-only API over a compiled release: what tools and agents call."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from icd_resources.build import SCHEMA_VERSION, Progress, ensure_artifact
from icd_resources.codes import normalize_code, with_seventh_character
from icd_resources.config import ResourceSettings
from icd_resources.errors import ArtifactError, GuidelinesUnavailableError, UnknownCodeError
from icd_resources.models import (
    Block,
    Chapter,
    CodeInfo,
    GuidelineSection,
    IndexCode,
    IndexEntry,
    IndexSource,
    NodeKind,
    Note,
    NoteKind,
    SeventhCharacter,
    XrefTarget,
)

_CODE_COLUMNS = "code, description, kind, parent, chapter, block, billable, depth"
_ENTRY_FIELDS = (
    "id",
    "source",
    "parent_id",
    "level",
    "title",
    "nemod",
    "path",
    "see",
    "see_also",
    "manif_text",
    "warning",
    "column",
)
_ENTRY_COLUMNS = (
    "id, source, parent_id, level, title, nemod, path, see, see_also, manif_text, warning, col"
)


class IcdResources:
    """One ICD-10-CM release, loaded from its compiled artifact.

    Build it with :meth:`load` (which compiles the release on first use) or open an artifact
    directly. Every method that takes a code accepts any spelling ``normalize_code`` accepts.
    """

    def __init__(self, artifact: Path) -> None:
        """Open an artifact read-only.

        Raises:
            ArtifactError: if the file is missing, corrupt or of another schema version.

        """
        self.artifact = artifact
        if not artifact.is_file():
            raise ArtifactError(f"{artifact} does not exist: run `clh resources build`")
        try:
            self._db = sqlite3.connect(
                f"file:{artifact}?mode=ro", uri=True, check_same_thread=False
            )
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise ArtifactError(
                f"{artifact} is not a readable clh artifact ({exc}): delete it and run "
                "`clh resources build`"
            ) from exc
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise ArtifactError(
                f"{artifact} was built by another clh version (schema "
                f"{meta.get('schema_version')}, need {SCHEMA_VERSION}): run `clh resources build`"
            )
        self._meta = meta
        self.release: str = meta["release"]
        self._codes: dict[str, CodeInfo | None] = {}

    @classmethod
    def load(
        cls,
        settings: ResourceSettings | None = None,
        *,
        force_build: bool = False,
        progress: Progress | None = None,
    ) -> IcdResources:
        """Locate the release, build its artifact if needed, and open it."""
        path, _built = ensure_artifact(
            settings or ResourceSettings.resolve(), force=force_build, progress=progress
        )
        return cls(path)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    # -- codes -------------------------------------------------------------------------------

    def get(self, code: str) -> CodeInfo | None:
        """Return a code's record, or None if the release does not have it.

        Raises:
            MalformedCodeError: if ``code`` is not shaped like a code.

        """
        key = normalize_code(code)
        if key not in self._codes:
            row = self._db.execute(
                f"SELECT {_CODE_COLUMNS} FROM codes WHERE code = ?", (key,)
            ).fetchone()
            self._codes[key] = _code(row) if row else None
        return self._codes[key]

    def lookup(self, code: str) -> CodeInfo:
        """Return a code's record.

        Raises:
            MalformedCodeError: if ``code`` is not shaped like a code.
            UnknownCodeError: if the release does not have it (naming its nearest ancestor).

        """
        info = self.get(code)
        if info is None:
            key = normalize_code(code)
            partial = next((p["message"] for p in self.problems if p["kind"] == "tabular"), "")
            raise UnknownCodeError(key, self.release, self._nearest_existing(key), partial)
        return info

    def exists(self, code: str) -> bool:
        """Say whether the release has this code (malformed strings simply do not exist)."""
        try:
            return self.get(code) is not None
        except ValueError:
            return False

    def is_billable(self, code: str) -> bool:
        """Say whether a code is valid for submission (a leaf, with its 7th character)."""
        return self.lookup(code).billable

    def parent(self, code: str) -> CodeInfo | None:
        """Return the code one level up, or None for a category."""
        info = self.lookup(code)
        return self.lookup(info.parent) if info.parent else None

    def ancestors(self, code: str) -> list[CodeInfo]:
        """Return the codes above ``code``, nearest first, up to its category."""
        result: list[CodeInfo] = []
        info: CodeInfo | None = self.lookup(code)
        while info is not None and info.parent:
            info = self.lookup(info.parent)
            result.append(info)
        return result

    def children(self, code: str) -> list[CodeInfo]:
        """Return the codes directly below ``code`` in tabular order."""
        key = self.lookup(code).code
        rows = self._db.execute(
            f"SELECT {_CODE_COLUMNS} FROM codes WHERE parent = ? ORDER BY seq", (key,)
        ).fetchall()
        return [_code(row) for row in rows]

    def descendants(self, code: str) -> list[CodeInfo]:
        """Return every code below ``code`` in tabular order."""
        found: list[CodeInfo] = []
        stack = list(reversed(self.children(code)))
        while stack:
            info = stack.pop()
            found.append(info)
            stack.extend(reversed(self.children(info.code)))
        return found

    def billable_descendants(self, code: str) -> list[CodeInfo]:
        """Return the billable codes at or below ``code``: how an incomplete code is completed."""
        info = self.lookup(code)
        if info.billable:
            return [info]
        return [d for d in self.descendants(code) if d.billable]

    def chapter_of(self, code: str) -> Chapter:
        """Return the chapter a code belongs to."""
        return self.chapter(self.lookup(code).chapter)

    def block_of(self, code: str) -> Block:
        """Return the block (section) a code belongs to."""
        return self.block(self.lookup(code).block)

    def chapter(self, number: int) -> Chapter:
        """Return a chapter by number (1-22)."""
        row = self._db.execute(
            "SELECT number, description, first, last FROM chapters WHERE number = ?", (number,)
        ).fetchone()
        if row is None:
            raise UnknownCodeError(f"Chapter {number}", self.release)
        return Chapter(*row)

    def chapters(self) -> list[Chapter]:
        """Return every chapter in order."""
        rows = self._db.execute(
            "SELECT number, description, first, last FROM chapters ORDER BY number"
        ).fetchall()
        return [Chapter(*row) for row in rows]

    def block(self, block_id: str) -> Block:
        """Return a block by id (``A00-A09``)."""
        row = self._db.execute(
            "SELECT id, chapter, description, first, last FROM blocks WHERE id = ?",
            (block_id.strip().upper(),),
        ).fetchone()
        if row is None:
            raise UnknownCodeError(block_id, self.release)
        return Block(*row)

    def notes_for(self, code: str, kinds: set[NoteKind] | None = None) -> list[Note]:
        """Return the instructional notes that apply to a code, most specific origin first.

        Notes written at a category, block or chapter apply to every code below it (OCG I.A.12:
        Excludes notes; I.A.13: Code first / Use additional code), so they are returned too,
        each with its origin.
        """
        info = self.lookup(code)
        owners: list[tuple[str, NodeKind]] = [(info.code, info.kind)]
        owners += [(a.code, a.kind) for a in self.ancestors(info.code)]
        owners += [(info.block, NodeKind.BLOCK), (f"Chapter {info.chapter}", NodeKind.CHAPTER)]
        notes: list[Note] = []
        seen: set[str] = set()
        for owner, owner_kind in owners:
            if owner in seen:  # a block named like its only category (Z66): notes stored once
                continue
            seen.add(owner)
            rows = self._db.execute(
                "SELECT kind, text FROM notes WHERE owner = ? ORDER BY seq", (owner,)
            ).fetchall()
            headings: dict[NoteKind, str] = {}
            for kind, text in rows:
                note = Note(
                    NoteKind(kind), text, owner, owner_kind, headings.get(NoteKind(kind), "")
                )
                if note.is_heading:
                    # The Tabular List writes a list's lead-in as its first <note>: the items
                    # after it, up to the next lead-in of the same kind, belong to it.
                    headings[note.kind] = text
                    note = Note(note.kind, text, owner, owner_kind)
                if kinds is None or note.kind in kinds:
                    notes.append(note)
        return notes

    def seventh_characters(self, code: str) -> list[SeventhCharacter]:
        """Return the 7th characters a code takes (OCG I.A.5), from its nearest definition.

        Empty for codes that take none; for a 7th-character code, the choices of its base code.
        """
        info = self.lookup(code)
        choices: list[SeventhCharacter] = []
        for owner in [info.code, *(a.code for a in self.ancestors(info.code)), info.block]:
            rows = self._db.execute(
                "SELECT char, description FROM seventh WHERE owner = ?", (owner,)
            ).fetchall()
            if rows:
                choices = [SeventhCharacter(c, d, owner) for c, d in rows]
                break
        # A note can withhold characters from some codes (S06: "7th characters D and S do
        # not apply to codes ... with 6th character 7 - death"): for a code complete but for
        # its 7th character, only the characters that make an existing code are offered.
        base = info.code if self.needs_seventh_character(info.code) else None
        if base is None and info.kind is NodeKind.EXTENSION and info.parent:
            base = info.parent
        if base is None:
            return choices
        return [c for c in choices if self.exists(with_seventh_character(base, c.char))]

    def needs_seventh_character(self, code: str) -> bool:
        """Say whether a code is complete but for its 7th character (OCG I.A.5)."""
        children = self.children(code)
        return bool(children) and all(c.kind is NodeKind.EXTENSION for c in children)

    def codes(self, *, billable_only: bool = False) -> Iterator[CodeInfo]:
        """Iterate over every code in tabular order."""
        where = "WHERE billable = 1 " if billable_only else ""
        for row in self._db.execute(f"SELECT {_CODE_COLUMNS} FROM codes {where}ORDER BY seq"):
            yield _code(row)

    def inclusion_terms(self) -> Iterator[tuple[str, str]]:
        """Iterate over ``(code, inclusion term)`` of every code, in tabular order."""
        sql = (
            "SELECT n.owner, n.text FROM notes n JOIN codes c ON c.code = n.owner "
            "WHERE n.kind = ? ORDER BY c.seq, n.seq"
        )
        yield from self._db.execute(sql, (NoteKind.INCLUSION_TERM.value,))

    def _nearest_existing(self, code: str) -> str | None:
        bare = code.replace(".", "")
        for length in range(len(bare) - 1, 2, -1):
            candidate = f"{bare[:3]}.{bare[3:length]}" if length > 3 else bare[:3]
            if self.get(candidate) is not None:
                return candidate
        return bare[:3] if self.get(bare[:3]) is not None else None

    # -- Alphabetic Index ----------------------------------------------------------------------

    def index_entry(self, entry_id: int) -> IndexEntry:
        """Return one index entry by id."""
        row = self._db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no index entry with id {entry_id}")
        return self._entry(row)

    def index_entries(self, source: IndexSource | None = None) -> Iterator[IndexEntry]:
        """Iterate over index entries, of one source or all, in index order."""
        codes: dict[int, list[IndexCode]] = {}
        code_sql = (
            "SELECT c.entry_id, c.code, c.role, c.incomplete FROM entry_codes c "
            "JOIN entries e ON e.id = c.entry_id"
        )
        entry_sql = f"SELECT {_ENTRY_COLUMNS} FROM entries"
        params: tuple[str, ...] = ()
        if source is not None:
            code_sql += " WHERE e.source = ?"
            entry_sql += " WHERE source = ?"
            params = (IndexSource(source).value,)
        for entry_id, code, role, incomplete in self._db.execute(code_sql, params):
            codes.setdefault(entry_id, []).append(IndexCode(code, role, bool(incomplete)))
        for row in self._db.execute(entry_sql + " ORDER BY id", params):
            yield _entry(row, tuple(codes.get(row[0], ())))

    def index_children(self, entry_id: int) -> list[IndexEntry]:
        """Return the sub-terms (and table cells) directly under an entry."""
        rows = self._db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE parent_id = ? ORDER BY id", (entry_id,)
        ).fetchall()
        return [self._entry(row) for row in rows]

    def find_index_path(self, path: str, source: IndexSource | None = None) -> list[IndexEntry]:
        """Return entries whose full path is ``path`` (case-insensitive)."""
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE path = ? COLLATE NOCASE"
        params: tuple[str, ...] = (path.strip(),)
        if source is not None:
            sql += " AND source = ?"
            params += (IndexSource(source).value,)
        return [self._entry(row) for row in self._db.execute(sql + " ORDER BY id", params)]

    def find_main_terms(self, term: str) -> list[IndexEntry]:
        """Return the main terms (level 0) titled ``term``, alone or before a comma.

        The printed index titles a main term with its variants: "Hypertension, hypertensive".
        """
        like = term.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        sql = (
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE level = 0 AND "
            "(path = ? COLLATE NOCASE OR path LIKE ? ESCAPE '\\') ORDER BY id"
        )
        rows = self._db.execute(sql, (term.strip(), like + ",%"))
        return [self._entry(row) for row in rows]

    def entries_for_code(self, code: str) -> list[IndexEntry]:
        """Return the index entries that lead to a code (a reverse look-up).

        The index never prints 7th characters and often points to an incomplete code
        (``S72.0-``), so entries naming the base code of a 7th-character code, or an incomplete
        ancestor, lead here too.
        """
        info = self.lookup(code)
        exact = [info.code]
        if info.kind is NodeKind.EXTENSION and info.parent:
            exact.append(info.parent)
        ancestors = [a.code for a in self.ancestors(info.code)]
        marks = ",".join("?" * len(exact))
        sql = f"SELECT entry_id FROM entry_codes WHERE code IN ({marks})"
        params: list[str] = list(exact)
        if ancestors:
            sql += f" OR (incomplete AND code IN ({','.join('?' * len(ancestors))}))"
            params += ancestors
        rows = self._db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id IN ({sql}) ORDER BY id", params
        ).fetchall()
        return [self._entry(row) for row in rows]

    def resolve_xref(self, entry_id: int) -> list[XrefTarget]:
        """Return where an entry's ``see``/``see also`` instructions lead (OCG I.A.16)."""
        rows = self._db.execute(
            "SELECT kind, text, target_id, exact FROM xrefs WHERE entry_id = ? ORDER BY rowid",
            (entry_id,),
        ).fetchall()
        return [XrefTarget(kind, text, target, bool(exact)) for kind, text, target, exact in rows]

    def _entry(self, row: tuple[Any, ...]) -> IndexEntry:
        codes = tuple(
            IndexCode(code, role, bool(incomplete))
            for code, role, incomplete in self._db.execute(
                "SELECT code, role, incomplete FROM entry_codes WHERE entry_id = ? ORDER BY rowid",
                (row[0],),
            )
        )
        return _entry(row, codes)

    # -- Official Guidelines -------------------------------------------------------------------

    @property
    def has_guidelines(self) -> bool:
        """Say whether the guidelines PDF was part of the built release."""
        return self._db.execute("SELECT 1 FROM guidelines LIMIT 1").fetchone() is not None

    def guideline(self, section_id: str, *, with_subsections: bool = True) -> GuidelineSection:
        """Return a guideline section (``I.A.12.a``), by default with all its subsections.

        Raises:
            GuidelinesUnavailableError: if no guidelines were built, or the id is unknown.

        """
        self._require_guidelines()
        row = self._db.execute(
            "SELECT id, title, level, page, seq, end_seq, text FROM guidelines WHERE id = ?",
            (section_id.strip(),),
        ).fetchone()
        if row is None:
            raise GuidelinesUnavailableError(
                f"no guideline section {section_id!r} (ids look like I.A.12.a or I.C.19)"
            )
        sid, title, level, page, seq, end_seq, text = row
        if with_subsections and end_seq > seq:
            texts = self._db.execute(
                "SELECT text FROM guidelines WHERE seq BETWEEN ? AND ? ORDER BY seq",
                (seq, end_seq),
            ).fetchall()
            text = "\n\n".join(t for (t,) in texts)
        return GuidelineSection(sid, title, level, page, text)

    def guideline_for_chapter(self, chapter: int) -> GuidelineSection:
        """Return the chapter-specific guideline section (I.C.N) for a tabular chapter."""
        self._require_guidelines()
        row = self._db.execute("SELECT id FROM guidelines WHERE chapter = ?", (chapter,)).fetchone()
        if row is None:
            raise GuidelinesUnavailableError(
                f"the guidelines have no section for chapter {chapter}"
            )
        return self.guideline(row[0])

    def guideline_sections(self) -> list[GuidelineSection]:
        """Return every section with its own text only, in document order."""
        self._require_guidelines()
        rows = self._db.execute(
            "SELECT id, title, level, page, text FROM guidelines ORDER BY seq"
        ).fetchall()
        return [GuidelineSection(*row) for row in rows]

    def _require_guidelines(self) -> None:
        if not self.has_guidelines:
            problems = [p for p in self.problems if p["kind"] == "guidelines"]
            why = problems[0]["message"] if problems else "no guidelines PDF was found"
            raise GuidelinesUnavailableError(
                f"the Official Guidelines are not available ({why}); put the guidelines PDF "
                "beside the release files and run `clh resources build`"
            )

    # -- release facts -------------------------------------------------------------------------

    @property
    def problems(self) -> list[dict[str, str]]:
        """Files that were found but could not be parsed when the artifact was built."""
        problems: list[dict[str, str]] = json.loads(self._meta.get("problems", "[]"))
        return problems

    def stats(self) -> dict[str, Any]:
        """Count what the artifact holds, per element and source, with the files it came from."""
        db = self._db

        def grouped(sql: str) -> dict[str, int]:
            return {str(k): int(v) for k, v in db.execute(sql).fetchall()}

        return {
            "release": self.release,
            "versions": json.loads(self._meta["versions"]),
            "artifact": str(self.artifact),
            "built_at": self._meta["built_at"],
            "build_seconds": float(self._meta["build_seconds"]),
            "files": json.loads(self._meta["files"]),
            "skipped": [{"path": p, "reason": r} for p, r in json.loads(self._meta["skipped"])],
            "problems": self.problems,
            "tabular": {
                "chapters": db.execute("SELECT count(*) FROM chapters").fetchone()[0],
                "blocks": db.execute("SELECT count(*) FROM blocks").fetchone()[0],
                "codes_by_kind": grouped("SELECT kind, count(*) FROM codes GROUP BY kind"),
                "billable": db.execute("SELECT count(*) FROM codes WHERE billable").fetchone()[0],
                "notes_by_kind": grouped("SELECT kind, count(*) FROM notes GROUP BY kind"),
                "seventh_character_definitions": db.execute(
                    "SELECT count(DISTINCT owner) FROM seventh"
                ).fetchone()[0],
            },
            "index": _index_stats(db),
            "guidelines": {
                "sections": db.execute("SELECT count(*) FROM guidelines").fetchone()[0],
                "chapters_mapped": db.execute(
                    "SELECT count(*) FROM guidelines WHERE chapter IS NOT NULL"
                ).fetchone()[0],
            },
        }


def _index_stats(db: sqlite3.Connection) -> dict[str, Any]:
    """Count the Alphabetic Index's entries, codes and cross-references."""

    def grouped(sql: str) -> dict[str, int]:
        return {str(k): int(v) for k, v in db.execute(sql).fetchall()}

    return {
        "entries_by_source": grouped("SELECT source, count(*) FROM entries GROUP BY source"),
        "codes_by_source": grouped(
            "SELECT e.source, count(*) FROM entry_codes c JOIN entries e "
            "ON e.id = c.entry_id GROUP BY e.source"
        ),
        "code_roles": grouped(
            "SELECT CASE WHEN e.col != '' THEN 'table cell' ELSE c.role END, count(*) "
            "FROM entry_codes c JOIN entries e ON e.id = c.entry_id GROUP BY 1"
        ),
        "incomplete_codes": db.execute(
            "SELECT count(*) FROM entry_codes WHERE incomplete"
        ).fetchone()[0],
        "nemod": db.execute("SELECT count(*) FROM entries WHERE nemod != ''").fetchone()[0],
        "see": db.execute("SELECT count(*) FROM entries WHERE see != ''").fetchone()[0],
        "see_also": db.execute("SELECT count(*) FROM entries WHERE see_also != ''").fetchone()[0],
        "xrefs_resolved_exactly": db.execute("SELECT count(*) FROM xrefs WHERE exact").fetchone()[
            0
        ],
        "xrefs_resolved_partly": db.execute(
            "SELECT count(*) FROM xrefs WHERE NOT exact AND target_id IS NOT NULL"
        ).fetchone()[0],
        "xrefs_generic": db.execute(
            "SELECT count(*) FROM xrefs WHERE target_id IS NULL"
        ).fetchone()[0],
    }


def _code(row: tuple[Any, ...]) -> CodeInfo:
    code, description, kind, parent, chapter, block, billable, depth = row
    return CodeInfo(
        code, description, NodeKind(kind), parent, chapter, block, bool(billable), depth
    )


def _entry(row: tuple[Any, ...], codes: tuple[IndexCode, ...]) -> IndexEntry:
    fields = dict(zip(_ENTRY_FIELDS, row, strict=True))
    return IndexEntry(**fields | {"source": IndexSource(fields["source"]), "codes": codes})
