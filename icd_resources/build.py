"""Compile the release into one SQLite artifact, cached by the hashes of its input files.

SQLite because the artifact must load in well under a second, answer a code lookup in
microseconds through its primary key, and be readable by any tool without clh.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from icd_resources.alphabetic_index import EntryRecord, IndexData, parse_index
from icd_resources.config import ResourceSettings
from icd_resources.errors import ArtifactError, ResourceError
from icd_resources.guidelines import SectionRecord, parse_guidelines
from icd_resources.locate import Discovery, discover
from icd_resources.models import FileKind, IndexSource
from icd_resources.tabular import TabularData, parse_tabular
from icd_resources.xrefs import XrefResolver

SCHEMA_VERSION = "4"
Progress = Callable[[str, int, int], None]
"""Called with (step description, steps done, steps in all)."""

_INDEX_KINDS = (
    (FileKind.INDEX, IndexSource.INDEX),
    (FileKind.EINDEX, IndexSource.EINDEX),
    (FileKind.DRUG, IndexSource.DRUG),
    (FileKind.NEOPLASM, IndexSource.NEOPLASM),
)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE chapters (number INTEGER PRIMARY KEY, description TEXT, first TEXT, last TEXT);
CREATE TABLE blocks (id TEXT PRIMARY KEY, chapter INTEGER, description TEXT, first TEXT,
                     last TEXT, seq INTEGER);
CREATE TABLE codes (code TEXT PRIMARY KEY, description TEXT, kind TEXT, parent TEXT,
                    chapter INTEGER, block TEXT, billable INTEGER, depth INTEGER,
                    seq INTEGER) WITHOUT ROWID;
CREATE INDEX codes_parent ON codes(parent);
CREATE TABLE notes (owner TEXT, owner_kind TEXT, kind TEXT, text TEXT, seq INTEGER);
CREATE INDEX notes_owner ON notes(owner);
CREATE TABLE seventh (owner TEXT, char TEXT, description TEXT);
CREATE INDEX seventh_owner ON seventh(owner);
CREATE TABLE entries (id INTEGER PRIMARY KEY, source TEXT, parent_id INTEGER, level INTEGER,
                      title TEXT, nemod TEXT, path TEXT, see TEXT, see_also TEXT,
                      manif_text TEXT, warning TEXT, col TEXT);
CREATE INDEX entries_parent ON entries(parent_id);
CREATE INDEX entries_path ON entries(path COLLATE NOCASE);
CREATE TABLE entry_codes (entry_id INTEGER, code TEXT, role TEXT, incomplete INTEGER);
CREATE INDEX entry_codes_entry ON entry_codes(entry_id);
CREATE INDEX entry_codes_code ON entry_codes(code);
CREATE TABLE xrefs (entry_id INTEGER, kind TEXT, text TEXT, target_id INTEGER, exact INTEGER);
CREATE INDEX xrefs_entry ON xrefs(entry_id);
CREATE TABLE guidelines (id TEXT PRIMARY KEY, parent TEXT, level INTEGER, title TEXT,
                         page INTEGER, seq INTEGER, end_seq INTEGER, text TEXT,
                         chapter INTEGER);
CREATE INDEX guidelines_seq ON guidelines(seq);
"""


def artifact_key(found: Discovery) -> str:
    """Hash the schema version and every input file's content hash."""
    digest = hashlib.sha256(f"clh-resources:{SCHEMA_VERSION}".encode())
    for kind in sorted(found.files):
        digest.update(f"{kind}:{found.files[kind].sha256}".encode())
    return digest.hexdigest()[:24]


def ensure_artifact(
    settings: ResourceSettings, *, force: bool = False, progress: Progress | None = None
) -> tuple[Path, bool]:
    """Return the artifact for the release in ``settings``, building it if it is missing.

    Returns:
        ``(path, built)``: built is False when a cached artifact was reused.

    Raises:
        ReleaseNotFoundError: when no Tabular List is found.
        ReleaseFileError: when the Tabular List cannot be parsed.

    """
    found = discover(settings.icd_dirs)
    found.require_tabular(settings.icd_dirs)
    path = settings.artifact_dir / f"icd10cm-{artifact_key(found)}.sqlite"
    if path.exists() and not force:
        return path, False
    _require_writable(settings.artifact_dir)
    build_artifact(found, path, progress=progress)
    return path, True


def _require_writable(directory: Path) -> None:
    """Fail at once, not after a minute of parsing, when the artifact cannot be saved.

    Raises:
        ArtifactError: naming the directory and the way out.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise ArtifactError(
            f"the cache directory {directory} cannot be written ({exc.strerror or exc}) and "
            "holds no artifact for this release yet: give a writable --cache-dir or "
            "CLH_CACHE_DIR"
        ) from exc


@dataclass
class _Parsed:
    """Everything read from the release files, before it is written."""

    tabular: TabularData
    entries: list[EntryRecord] = field(default_factory=list)
    xrefs: list[tuple[int, str, str, int | None, int]] = field(default_factory=list)
    sections: list[SectionRecord] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)


def build_artifact(found: Discovery, dest: Path, *, progress: Progress | None = None) -> None:
    """Parse every file found and write the artifact atomically to ``dest``.

    Optional files that fail to parse are recorded as problems in the artifact (``clh resources
    stats`` shows them); what remains is still built. Only a broken Tabular List is fatal.
    """
    report = progress or (lambda _label, _done, _total: None)
    total = 3 + len(_INDEX_KINDS) + 1
    started = time.perf_counter()
    parsed = _parse(found, report, total)
    report("cross-references", 1 + len(_INDEX_KINDS), total)
    parsed.xrefs = _resolve_xrefs(parsed.entries)
    report("guidelines", 2 + len(_INDEX_KINDS), total)
    _parse_guidelines(found, parsed)
    report("writing artifact", 3 + len(_INDEX_KINDS), total)
    _write(found, parsed, dest, started)
    report("done", total, total)


def _parse(found: Discovery, report: Progress, total: int) -> _Parsed:
    tabular_file = found.files[FileKind.TABULAR]
    report("Tabular List", 0, total)
    parsed = _Parsed(parse_tabular(Path(tabular_file.path)))
    parsed.versions[FileKind.TABULAR] = parsed.tabular.version
    partial = _partial_release(parsed.tabular)
    if partial:
        parsed.problems.append({"kind": "tabular", "path": tabular_file.path, "message": partial})
    for step, (kind, source) in enumerate(_INDEX_KINDS, start=1):
        report(f"index: {source}", step, total)
        file = found.files.get(kind)
        if file is None:
            continue
        try:
            data = parse_index(Path(file.path), source, start_id=len(parsed.entries) + 1)
        except ResourceError as exc:
            parsed.problems.append({"kind": str(kind), "path": file.path, "message": str(exc)})
            continue
        parsed.entries.extend(data.entries)
        parsed.versions[kind] = data.version
        partial = _partial_index(data)
        if partial:
            parsed.problems.append({"kind": str(kind), "path": file.path, "message": partial})
    return parsed


def _partial_index(data: IndexData) -> str:
    """Describe an Alphabetic Index that stops before Z ("" when it runs to the end).

    Only the main index is checked: the tables and the external cause index lack letters.
    """
    if data.source is not IndexSource.INDEX or "Z" in data.letters:
        return ""
    last = data.letters[-1] if data.letters else "?"
    return (
        f"partial Alphabetic Index: its letters stop at {last} (a full index runs from A to "
        f"Z), {len(data.entries):,} entries kept; terms after {last} are not found: "
        "download the release again (clh resources fetch)"
    )


# A full ICD-10-CM release has 22 chapters and about 74,000 billable codes (FY2026: 74,719).
FULL_RELEASE_CHAPTERS = 22
FULL_RELEASE_BILLABLE = 70_000


def _partial_release(tabular: TabularData) -> str:
    """Describe a Tabular List far smaller than a full release ("" when it looks complete)."""
    chapters = len(tabular.chapters)
    billable = sum(1 for c in tabular.codes if c.billable)
    if chapters >= FULL_RELEASE_CHAPTERS and billable >= FULL_RELEASE_BILLABLE:
        return ""
    return (
        f"partial Tabular List: {chapters} chapters and {billable:,} billable codes, where a "
        f"full release has {FULL_RELEASE_CHAPTERS} chapters and about 74,000; a code outside "
        "it is reported as not in the release"
    )


def _resolve_xrefs(entries: list[EntryRecord]) -> list[tuple[int, str, str, int | None, int]]:
    resolver = XrefResolver(entries)
    xrefs: list[tuple[int, str, str, int | None, int]] = []
    for entry in entries:
        for kind_name, target in (("see", entry.see), ("seeAlso", entry.see_also)):
            if target:
                res = resolver.resolve(target, entry.source)
                xrefs.append((entry.id, kind_name, target, res.entry_id, int(res.exact)))
    return xrefs


def _parse_guidelines(found: Discovery, parsed: _Parsed) -> None:
    guidelines_file = found.files.get(FileKind.GUIDELINES)
    if guidelines_file is None:
        return
    try:
        parsed.sections = parse_guidelines(Path(guidelines_file.path))
        parsed.versions[FileKind.GUIDELINES] = guidelines_file.version
    except ResourceError as exc:
        parsed.problems.append(
            {"kind": "guidelines", "path": guidelines_file.path, "message": str(exc)}
        )


def _write(found: Discovery, parsed: _Parsed, dest: Path, started: float) -> None:
    """Write the artifact to a temporary file, then move it into place (atomic)."""
    tabular, entries, sections = parsed.tabular, parsed.entries, parsed.sections
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".building-", suffix=".sqlite", dir=dest.parent)
    os.close(fd)
    try:
        with sqlite3.connect(tmp_name) as db:
            _insert_rows(db, tabular, entries, parsed.xrefs, sections)
            meta = {
                "schema_version": SCHEMA_VERSION,
                "release": tabular.version,
                "versions": json.dumps(parsed.versions),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": f"{time.perf_counter() - started:.2f}",
                "files": json.dumps([asdict(f) for f in found.files.values()]),
                "skipped": json.dumps(found.skipped),
                "problems": json.dumps(parsed.problems),
            }
            db.executemany("INSERT INTO meta VALUES (?,?)", list(meta.items()))
        db.close()
        os.replace(tmp_name, dest)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _insert_rows(
    db: sqlite3.Connection,
    tabular: TabularData,
    entries: list[EntryRecord],
    xrefs: list[tuple[int, str, str, int | None, int]],
    sections: list[SectionRecord],
) -> None:
    db.executescript(_SCHEMA)
    _insert_tabular(db, tabular)
    _insert_index(db, entries, xrefs)
    db.executemany(
        "INSERT INTO guidelines VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (s.id, s.parent, s.level, s.title, s.page, s.seq, s.end_seq, s.text, s.chapter)
            for s in sections
        ],
    )


def _insert_tabular(db: sqlite3.Connection, tabular: TabularData) -> None:
    db.executemany(
        "INSERT INTO chapters VALUES (?,?,?,?)",
        [(c.number, c.description, c.first, c.last) for c in tabular.chapters],
    )
    db.executemany(
        "INSERT INTO blocks VALUES (?,?,?,?,?,?)",
        [
            (b.id, b.chapter, b.description, b.first, b.last, i)
            for i, b in enumerate(tabular.blocks)
        ],
    )
    db.executemany(
        "INSERT INTO codes VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                c.code,
                c.description,
                c.kind.value,
                c.parent,
                c.chapter,
                c.block,
                int(c.billable),
                c.depth,
                i,
            )
            for i, c in enumerate(tabular.codes)
        ],
    )
    db.executemany(
        "INSERT INTO notes VALUES (?,?,?,?,?)",
        [(n.owner, n.owner_kind.value, n.kind.value, n.text, n.seq) for n in tabular.notes],
    )
    db.executemany(
        "INSERT INTO seventh VALUES (?,?,?)",
        [(s.owner, s.char, s.description) for s in tabular.seventh],
    )


def _insert_index(
    db: sqlite3.Connection,
    entries: list[EntryRecord],
    xrefs: list[tuple[int, str, str, int | None, int]],
) -> None:
    db.executemany(
        "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                e.id,
                e.source.value,
                e.parent_id,
                e.level,
                e.title,
                e.nemod,
                e.path,
                e.see,
                e.see_also,
                e.manif_text,
                e.warning,
                e.column,
            )
            for e in entries
        ],
    )
    db.executemany(
        "INSERT INTO entry_codes VALUES (?,?,?,?)",
        [(e.id, c.code, c.role, int(c.incomplete)) for e in entries for c in e.codes],
    )
    db.executemany("INSERT INTO xrefs VALUES (?,?,?,?,?)", xrefs)
