"""Find the release files in a directory by what they are, not by what they are called.

File names change by year and update (``icd10cm_tabular_2026.xml``,
``icd10cm-tabular-April-1-2026.xml``), so each file is recognised by its XML root element and
title, or, for the guidelines, by the PDF's own title.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from icd_resources.errors import ReleaseNotFoundError
from icd_resources.models import FileKind, ReleaseFile

_MAX_DEPTH = 4
_PEEK_ELEMENTS = 60


@dataclass
class Discovery:
    """What a scan found: the chosen file per kind, and what it skipped and why."""

    files: dict[FileKind, ReleaseFile] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def require_tabular(self, searched: Iterable[Path]) -> ReleaseFile:
        """Return the tabular file or explain where clh looked."""
        if FileKind.TABULAR not in self.files:
            where = ", ".join(str(p) for p in searched) or "(no directory)"
            raise ReleaseNotFoundError(
                f"no ICD-10-CM Tabular List XML (root <ICD10CM.tabular>) found in {where}. "
                "Point clh at an unpacked release with --icd-dir or CLH_ICD_DIR, or download "
                "one with `clh resources fetch --year YYYY`."
            )
        return self.files[FileKind.TABULAR]


def sha256_of(path: Path) -> str:
    """Hash a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def classify_xml(path: Path) -> tuple[FileKind | None, str, str]:
    """Peek at the first elements of an XML file.

    Returns:
        ``(kind, version, reason)``: kind is None for files that are not release files, with
        the reason saying why.

    """
    root_tag = ""
    version = ""
    title = ""
    first_head = ""
    addenda = False
    try:
        for count, (event, elem) in enumerate(ET.iterparse(path, events=("start", "end"))):
            if event == "start" and not root_tag:
                root_tag = elem.tag
                addenda = elem.get("isAddenda", "").lower() == "true"
            elif event == "end" and elem.tag == "version" and not version:
                version = (elem.text or "").strip()
            elif event == "end" and elem.tag == "title" and not title:
                title = " ".join("".join(elem.itertext()).split())
            elif event == "end" and elem.tag == "head" and elem.get("col") == "1":
                first_head = (elem.text or "").strip().lower()
            if count > _PEEK_ELEMENTS or (event == "end" and elem.tag == "letter"):
                break
    except ET.ParseError as exc:
        if not root_tag:
            return None, "", f"not readable XML ({exc.msg})"
    except OSError as exc:
        return None, "", f"cannot be read ({exc.strerror or exc})"
    if addenda:
        return None, version, "an addenda file (changes only), not a full release file"
    if root_tag == "ICD10CM.tabular":
        return FileKind.TABULAR, version, ""
    if root_tag != "ICD10CM.index":
        return None, version, f"root element <{root_tag}> is not an ICD-10-CM file"
    if first_head.startswith(("substance", "drug")):
        return FileKind.DRUG, version, ""
    if first_head.startswith("neoplasm"):
        return FileKind.NEOPLASM, version, ""
    if "EXTERNAL CAUSE" in title.upper():
        return FileKind.EINDEX, version, ""
    if first_head:
        return None, version, f"an index table with unknown first column {first_head!r}"
    return FileKind.INDEX, version, ""


def classify_pdf(path: Path) -> tuple[FileKind | None, str, str]:
    """Recognise the Official Guidelines PDF by its title or first page."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pdfium raises its own PdfiumError for any unreadable file
        return None, "", f"not a readable PDF ({exc})"
    try:
        meta_title = str(doc.get_metadata_dict().get("Title", ""))
        first_page = doc[0].get_textpage().get_text_range() if len(doc) else ""
    finally:
        doc.close()
    head = f"{meta_title}\n{first_page[:600]}"
    if "Guidelines for Coding and Reporting" not in head and "Guidelines" not in meta_title:
        return None, "", "a PDF that is not the ICD-10-CM Official Guidelines"
    version = _fiscal_year(head)
    return FileKind.GUIDELINES, version, ""


def _fiscal_year(text: str) -> str:
    import re

    match = re.search(r"FY\s*(20\d\d)", text) or re.search(r"FY(\d\d)", text)
    if not match:
        return ""
    year = match.group(1)
    return year if len(year) == 4 else f"20{year}"


def discover(directories: Iterable[Path]) -> Discovery:
    """Scan directories (recursively, a few levels deep) for release files.

    Where two files of one kind are found, the newer version wins and the other is reported
    as skipped.
    """
    found = Discovery()
    candidates: dict[FileKind, list[ReleaseFile]] = {}
    for directory in directories:
        for path in _walk(directory):
            suffix = path.suffix.lower()
            if suffix == ".xml":
                kind, version, reason = classify_xml(path)
            elif suffix == ".pdf":
                kind, version, reason = classify_pdf(path)
            else:
                continue
            if kind is None:
                found.skipped.append((str(path), reason))
                continue
            candidates.setdefault(kind, []).append(
                ReleaseFile(
                    kind, str(path.resolve()), version, sha256_of(path), path.stat().st_size
                )
            )
    for kind, files in candidates.items():
        files.sort(key=lambda f: (f.version, f.path), reverse=True)
        found.files[kind] = files[0]
        for other in files[1:]:
            found.skipped.append(
                (
                    other.path,
                    f"another {kind} file ({found.files[kind].path}) is newer or sorts first",
                )
            )
    return found


def _walk(directory: Path, depth: int = 0) -> Iterable[Path]:
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.is_dir() and depth < _MAX_DEPTH:
            yield from _walk(entry, depth + 1)
        elif entry.is_file():
            yield entry
