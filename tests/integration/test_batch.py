"""Batch coding of a folder of notes on fakes: interrupted, resumed, the same output."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest

from clh_llm import LLMUnavailableError
from evals.batch import code_batch, load_notes
from graph.context import Context
from tests.fakes import agent_is
from tests.graph_support import NOTE, default_rules


def folder_of_notes(root: Path) -> Path:
    notes = root / "notes"
    notes.mkdir()
    for i in range(4):
        (notes / f"note{i}.txt").write_text(NOTE + f"\nVisit {i}.")
    (notes / "empty.txt").write_text("   \n")
    (notes / "latin.txt").write_bytes("Patient avec fièvre.".encode("latin-1"))
    return notes


def test_a_batch_interrupted_and_resumed_gives_the_same_output(make_deps, tmp_path) -> None:
    notes = load_notes(folder_of_notes(tmp_path))
    assert "latin.txt: not UTF-8, unreadable bytes replaced" in notes.problems
    state = {"down": False}

    def extractor(system: str, user: str) -> str:
        if state["down"] and "Visit 2." in user:
            raise LLMUnavailableError("the model server at http://fake/v1 failed 4 times")
        return default_rules()[0][1](system, user)

    rules = default_rules()
    rules[0] = (agent_is("evidence_extractor"), extractor)
    make_deps(rules)

    whole = asyncio.run(code_batch(notes, tmp_path / "whole", Context(), model="fake"))
    assert whole.failed == ["empty"]  # recorded; the other notes are coded

    state["down"] = True
    with pytest.raises(LLMUnavailableError):
        asyncio.run(code_batch(notes, tmp_path / "cut", Context(), model="fake"))
    state["down"] = False
    resumed = asyncio.run(code_batch(notes, tmp_path / "cut", Context(), model="fake", html=True))
    assert resumed.coded == 3  # note2 and note3, and the empty note tried again
    assert resumed.csv.read_text() == whole.csv.read_text()

    rows = list(csv.DictReader(resumed.csv.open()))
    assert {r["note_id"] for r in rows} == {"note0", "note1", "note2", "note3", "latin", "empty"}
    assert [r["code"] for r in rows if r["note_id"] == "note0"] == ["A00.0", "T36.0X5A"]
    assert "the note is empty" in next(r["error"] for r in rows if r["note_id"] == "empty")
    page = (tmp_path / "cut" / "pages" / "note0.html").read_text()
    assert 'data-code="A00.0"' in page


def test_a_folder_without_notes_says_so(tmp_path) -> None:
    (tmp_path / "empty-folder").mkdir()
    assert load_notes(tmp_path / "empty-folder").problems == [
        f"no .txt notes in {tmp_path / 'empty-folder'}"
    ]
    with pytest.raises(FileNotFoundError, match="no folder or JSONL file"):
        load_notes(tmp_path / "missing")


def test_the_eval_report_page_links_each_note_to_its_review_page(make_deps, tmp_path) -> None:
    from evals.coders import graph_note_coder
    from evals.doc_types import Dataset, Doc
    from evals.report import write_html_report, write_report
    from evals.runner import RunConfig, read_rows, run_notes, start_run
    from evals.summary import summarize_run
    from graph.builder import build_graph

    deps, _fake = make_deps()
    docs = [Doc("n<1>", NOTE, ("A00.0",)), Doc("n2", NOTE, ("T36.0X5A", "A01.00"))]
    run = tmp_path / "run"
    start_run(run, RunConfig("fake", "graph", 1, 10, "hybrid", None, "fake"))
    coder = graph_note_coder(build_graph(), Context())
    asyncio.run(run_notes(Dataset("fake", docs), run, coder, concurrency=1))
    summary = summarize_run(read_rows(run), deps.icd)
    write_report(run, summary, "fake run")
    page = write_html_report(run, "fake run", {d.id: d.text for d in docs}).read_text()
    assert "data:image/png;base64," in page  # the plots inline: one file to share
    assert 'href="pages/n_1_.html">n&lt;1&gt;</a>' in page
    assert 'data-code="A00.0"' in (run / "pages" / "n_1_.html").read_text()
    assert "micro F1" in page or "micro" in page


def test_a_jsonl_of_notes_needs_no_gold_codes(tmp_path) -> None:
    source = tmp_path / "notes.jsonl"
    source.write_text('{"id": "a", "text": "Fever."}\n{"id": "a", "text": "x"}\n{"text": 3}\n')
    notes = load_notes(source)
    assert [(d.id, d.text, d.gold) for d in notes.docs] == [("a", "Fever.", ())]
    assert notes.problems == ["line 2: duplicate id 'a'", 'line 3: needs "text" (a string)']
