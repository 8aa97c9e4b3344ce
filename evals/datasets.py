"""Load any evaluation dataset by kind into the one ``Dataset`` shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.codiesp import load_codiesp
from evals.doc_types import Dataset, Doc
from evals.mdace import load_mdace
from graph.context import SettingName

DEFAULT_DATA = Path("../shared/data/codiesp")
"""``--data`` when none is given: CodiEsp's directory; ``usnotes`` reads its packaged file."""
USNOTES = Path(__file__).parent / "data" / "usnotes.jsonl"
"""The packaged US-style notes with certified-coder gold codes (evals/data/README.md)."""
SETTINGS: dict[str, SettingName] = {"inpatient": "inpatient", "outpatient": "outpatient"}


def load(kind: str, source: Path, split: str = "dev", notes: Path | None = None) -> Dataset:
    """Load a dataset: ``codiesp``, ``jsonl``, ``usnotes`` or ``mdace``.

    ``codiesp`` reads a directory with train/dev/...; ``jsonl`` a file of {"id","text","codes"};
    ``usnotes`` the packaged US-style notes (or ``source``, a JSONL file of the same shape,
    when it is not ``DEFAULT_DATA``); ``mdace`` its annotation directory, with ``notes`` = your
    MIMIC-III NOTEEVENTS.csv.

    Raises:
        FileNotFoundError: when the source is missing.
        ValueError: for an unknown dataset kind.
    """
    if kind == "codiesp":
        return load_codiesp(source, split)
    if kind == "jsonl":
        return load_jsonl(source)
    if kind == "usnotes":
        return load_jsonl(USNOTES if source == DEFAULT_DATA else source)
    if kind == "mdace":
        if notes is None:
            raise ValueError("MDACE needs --notes: the path of MIMIC-III NOTEEVENTS.csv")
        return load_mdace(source, notes)
    raise ValueError(f"unknown dataset {kind!r}: use codiesp, jsonl, usnotes or mdace")


def json_lines(path: Path) -> tuple[list[tuple[int, Any]], list[str]]:
    """Return a JSONL file's values with their line numbers, and the lines that are not JSON."""
    values: list[tuple[int, Any]] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc.msg})")
    return values, problems


def load_jsonl(path: Path, *, with_gold: bool = True) -> Dataset:
    """Load a JSONL of ``{"id", "text", "codes"}`` (``codes`` only ``with_gold``).

    An optional ``"setting"`` (inpatient or outpatient) is kept, the codes keep their order.
    Lines that cannot be used are listed in ``problems``: not JSON, no text, no codes when
    gold is needed, an unknown setting, a duplicate id. A line without an id is named by its
    number.
    """
    docs: list[Doc] = []
    seen: set[str] = set()
    needs = '"text" (string) and "codes" (list)' if with_gold else '"text" (a string)'
    lines, problems = json_lines(path)
    for number, row in lines:
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("text"), str)
            or (with_gold and not isinstance(row.get("codes"), list))
        ):
            problems.append(f"line {number}: needs {needs}")
            continue
        setting = row.get("setting")
        if setting is not None and (not isinstance(setting, str) or setting not in SETTINGS):
            problems.append(f"line {number}: setting must be inpatient or outpatient")
            continue
        doc_id = str(row.get("id", number))
        if doc_id in seen:
            problems.append(f"line {number}: duplicate id {doc_id!r}")
            continue
        seen.add(doc_id)
        raw = row.get("codes") or []
        codes = tuple(dict.fromkeys(str(c).strip().upper() for c in raw if str(c).strip()))
        docs.append(Doc(doc_id, row["text"], codes, SETTINGS.get(setting or "")))
    return Dataset(path.stem, docs, problems)
