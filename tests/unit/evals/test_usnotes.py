"""The US-style notes dataset: its loader, the setting each note carries, and its checker."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from evals.coders import graph_note_coder
from evals.datasets import DEFAULT_DATA, USNOTES, load
from evals.doc_types import Doc
from evals.usnotes import check_note, read_rows
from graph.context import Context


def _row(**fields: Any) -> str:
    base = {
        "id": "n1",
        "setting": "outpatient",
        "doc_type": "ED note",
        "text": "CC: chest pain.",
        "codes": ["R07.9", "I10"],
        "rationale": ["R07.9: OCG IV.H", "I10: Index: Hypertension"],
    }
    return json.dumps({**base, **fields})


def test_usnotes_reads_ids_codes_in_order_and_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(
        _row(codes=["Z51.11", "c50.412", "Z17.0"])
        + "\n"
        + _row(id="n2", setting="inpatient", codes=["I13.0", "I50.33", "N18.32"])
        + "\n"
        + _row(id="n3", setting="ambulatory")
        + "\n"
        + json.dumps({"id": "n4", "text": "no setting", "codes": ["I10"]})
        + "\n"
    )
    loaded = load("usnotes", path)
    assert [(d.id, d.gold, d.setting) for d in loaded.docs] == [
        ("n1", ("Z51.11", "C50.412", "Z17.0"), "outpatient"),
        ("n2", ("I13.0", "I50.33", "N18.32"), "inpatient"),
        ("n4", ("I10",), None),
    ]
    assert loaded.problems == ["line 3: setting must be inpatient or outpatient"]


def test_usnotes_without_data_reads_the_packaged_file() -> None:
    loaded = load("usnotes", DEFAULT_DATA)
    assert loaded.name == "usnotes" and not loaded.problems
    assert len(loaded.docs) >= 40
    assert {d.setting for d in loaded.docs} == {"inpatient", "outpatient"}
    first = json.loads(USNOTES.read_text(encoding="utf-8").splitlines()[0])
    assert loaded.docs[0].gold == tuple(first["codes"])


def test_the_graph_coder_codes_each_note_in_its_own_setting() -> None:
    seen: list[str] = []

    class Graph:
        async def ainvoke(self, state: dict[str, Any], context: Context) -> dict[str, Any]:
            seen.append(context.setting)
            result = {"codes": [], "funnel": {}, "accounting": {}, "failures": []}
            return {"result": result}

    code_note = graph_note_coder(Graph(), Context(setting="inpatient", top_k=7))
    for doc in (Doc("a", "t", (), "outpatient"), Doc("b", "t", ()), Doc("c", "t", (), "inpatient")):
        asyncio.run(code_note(doc))
    assert seen == ["outpatient", "inpatient", "inpatient"]


def test_the_checker_names_each_problem(fixture_icd, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    codes = ["A00.0", "A01", "A00", "NOPE"]
    rationale = ["A00.0: Index", "A01: Index", "A01: twice", "x"]
    path.write_text(_row(setting="ambulatory", codes=codes, rationale=rationale) + "\nnot json\n")
    (row,), unreadable = read_rows(path)
    found = check_note(fixture_icd, row)
    assert unreadable == ["line 2: not JSON (Expecting value)"]
    assert any("setting 'ambulatory'" in p for p in found)
    assert any("A00 is not billable (codes below it: A00.0" in p for p in found)
    assert any("'NOPE' is not shaped like a code" in p for p in found)
    assert any("A01 has 2 rationale lines" in p for p in found)
    assert any("A00 has 0 rationale lines" in p for p in found)
    assert any("explains no gold code: 'x'" in p for p in found)
    assert any(p.startswith("n1: Excludes1 between A00.0 and A01") for p in found)


def test_an_excludes1_pair_passes_only_when_listed_and_explained(fixture_icd) -> None:
    row = json.loads(_row(codes=["A00.0", "A01"], rationale=["A00.0: Index", "A01: Index"]))
    listed = {**row, "excludes1_ok": [["A01", "A00.0"]]}
    assert check_note(fixture_icd, listed) == [
        "n1: excludes1_ok A00.0, A01: no rationale cites OCG I.A.12.a"
    ]
    explained = {**listed, "rationale": ["A00.0: Index", "A01: unrelated, OCG I.A.12.a"]}
    assert check_note(fixture_icd, explained) == []
    stale = {**explained, "codes": ["A00.0"], "rationale": ["A00.0: Index"]}
    assert check_note(fixture_icd, stale) == [
        "n1: excludes1_ok A00.0, A01: no Excludes1 note between them"
    ]
