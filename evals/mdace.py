"""MDACE (Cheng et al., ACL 2023): code-evidence annotations over MIMIC-III notes.

The annotation files (one JSON per admission: ``hadm_id`` and ``notes``, each note with
``note_id`` and ``annotations`` of ``begin``/``end``/``code``/``code_system``) are public; the note
texts are MIMIC-III's ``NOTEEVENTS.csv`` (``ROW_ID`` = ``note_id``), which users with
PhysioNet access supply themselves. One admission is one document: its annotated notes joined.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from evals.doc_types import Dataset, Doc


def _normalize(code: str) -> str:
    code = code.strip().upper()
    return f"{code[:3]}.{code[3:]}" if "." not in code and len(code) > 3 else code


def load_mdace(annotations: Path, noteevents: Path) -> Dataset:
    """Load MDACE admissions with ICD-10-CM gold codes and the texts of their notes.

    Raises:
        FileNotFoundError: naming the missing annotation directory or NOTEEVENTS file.
    """
    if not annotations.is_dir():
        raise FileNotFoundError(f"no MDACE annotation directory at {annotations}")
    if not noteevents.is_file():
        raise FileNotFoundError(f"no MIMIC-III NOTEEVENTS.csv at {noteevents}")
    files = sorted(annotations.rglob("*.json"))
    wanted: set[str] = set()
    admissions = []
    problems: list[str] = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}: not readable JSON ({exc})")
            continue
        notes = data.get("notes") if isinstance(data, dict) else None
        if not isinstance(notes, list):
            problems.append(f"{path.name}: no 'notes' list")
            continue
        admissions.append((path, data, notes))
        wanted.update(str(n.get("note_id")) for n in notes)
    texts = _note_texts(noteevents, wanted)
    docs: list[Doc] = []
    skipped_systems = 0
    for path, data, notes in admissions:
        parts: list[str] = []
        codes: list[str] = []
        for note in notes:
            text = texts.get(str(note.get("note_id")))
            if text is None:
                problems.append(f"{path.name}: note {note.get('note_id')} not in NOTEEVENTS")
                continue
            parts.append(text)
            for annotation in note.get("annotations", []):
                if "10" not in str(annotation.get("code_system", "ICD-10-CM")):
                    skipped_systems += 1
                    continue
                code = _normalize(str(annotation.get("code", "")))
                if code and code not in codes:
                    codes.append(code)
        if parts:
            docs.append(Doc(str(data.get("hadm_id", path.stem)), "\n\n".join(parts), tuple(codes)))
    if skipped_systems:
        problems.append(f"{skipped_systems} annotations of other code systems (ICD-9, PCS) skipped")
    return Dataset("mdace", docs, problems)


def _note_texts(noteevents: Path, wanted: set[str]) -> dict[str, str]:
    csv.field_size_limit(sys.maxsize)  # MIMIC notes exceed csv's default field limit
    found: dict[str, str] = {}
    with noteevents.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            row_id = row.get("ROW_ID") or row.get("row_id") or ""
            if row_id in wanted:
                found[row_id] = row.get("TEXT") or row.get("text") or ""
    return found
