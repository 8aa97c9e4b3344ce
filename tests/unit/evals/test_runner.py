"""The eval runner: one line per note, resumable, same summary after an interruption."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from evals import plots as plots_module
from evals.datasets import load
from evals.doc_types import Dataset, Doc
from evals.report import write_report
from evals.runner import RunConfig, read_rows, run_notes, start_run
from evals.summary import summarize_run
from graph.errors import NoteError

DOCS = [
    Doc("a", "note a", ("A00.0",)),
    Doc("b", "note b", ("A01", "S06.0X1")),
    Doc("c", "", ("A00.9",)),
]
PRED = {"note a": ["A00.0"], "note b": ["S06.0X1A", "A00.9"]}


async def fake_coder(doc: Doc) -> dict:
    if not doc.text:
        raise NoteError("the note is empty")
    return {
        "pred": PRED[doc.text],
        "funnel": {
            "shown": ["A00"],
            "candidates": PRED[doc.text],
            "validated": PRED[doc.text],
            "final": PRED[doc.text],
        },
        "accounting": {"total": {"calls": 2, "prompt_tokens": 10, "completion_tokens": 3}},
    }


def test_resume_skips_done_notes_and_gives_the_same_summary(fixture_icd, tmp_path: Path) -> None:
    config = RunConfig("fixture", "fake", 1, 10, "hybrid", None, "m")
    full, partial = tmp_path / "full", tmp_path / "partial"
    for run in (full, partial):
        start_run(run, config)
    data = Dataset("fixture", DOCS)
    asyncio.run(run_notes(data, full, fake_coder, concurrency=2))
    asyncio.run(run_notes(Dataset("fixture", DOCS[:1]), partial, fake_coder, 1))
    with (partial / "predictions.jsonl").open("a") as out:
        out.write('{"id": "b", "pred": [')  # a torn line, as a crash leaves it
    coded = asyncio.run(run_notes(data, partial, fake_coder, 1))
    assert coded == 2  # only b and c
    rows_full = sorted(read_rows(full), key=lambda r: r["id"])
    rows_partial = sorted(read_rows(partial), key=lambda r: r["id"])
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in rows_partial]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in rows_full]
    summary = summarize_run(rows_partial, fixture_icd)
    assert summary == summarize_run(rows_full, fixture_icd) | {"cost": summary["cost"]}
    assert summary["errors"] == [{"id": "c", "error": "the note is empty"}]
    # S06.0X1A matches the gold S06.0X1 written without its 7th character
    assert summary["all_gold"]["micro_recall"] == pytest.approx(2 / 4)
    assert summary["funnel"][0]["stage"] == "shown"
    report = write_report(partial, summary, "fixture run")
    text = report.read_text()
    assert "| all gold |" in text and "Per-agent funnel" in text
    assert (partial / "recall_per_chapter.png").stat().st_size > 1000


def test_a_report_without_matplotlib_says_its_plots_were_skipped(
    fixture_icd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_run(tmp_path, RunConfig("fixture", "fake", 1, 10, "hybrid", None, "m"))
    asyncio.run(run_notes(Dataset("fixture", DOCS[:2]), tmp_path, fake_coder, 1))
    monkeypatch.setattr(plots_module, "has_plotting", lambda: False)
    report = write_report(tmp_path, summarize_run(read_rows(tmp_path), fixture_icd), "no plots")
    assert plots_module.PLOTS_SKIPPED in report.read_text()
    assert not list(tmp_path.glob("*.png"))


def test_resuming_with_other_settings_is_refused(tmp_path: Path) -> None:
    start_run(tmp_path, RunConfig("d", "graph", 1, 10, "hybrid", None, "m"))
    with pytest.raises(ValueError, match="other settings"):
        start_run(tmp_path, RunConfig("d", "graph", 2, 10, "hybrid", None, "m"))


def test_jsonl_loader_reports_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(
        '{"id": "1", "text": "t", "codes": ["e11.9"]}\nnot json\n'
        '{"id": "1", "text": "u", "codes": []}\n{"text": 3}\n'
    )
    loaded = load("jsonl", path)
    assert [(d.id, d.gold) for d in loaded.docs] == [("1", ("E11.9",))]
    assert len(loaded.problems) == 3 and "duplicate id" in loaded.problems[1]
    assert json.loads(path.read_text().splitlines()[0])["id"] == "1"


def test_resuming_with_other_data_under_the_same_name_is_refused(tmp_path: Path) -> None:
    import pytest

    from evals.runner import RunConfig, data_fingerprint, start_run

    first = Dataset("mine", [Doc("1", "Hypertension.", ("I10",))])
    other = Dataset("mine", [Doc("1", "Hypertension.", ("I15.9",))])
    assert data_fingerprint(first) != data_fingerprint(other)
    config = RunConfig("mine", "baseline", 1, 10, "hybrid", None, "none", data_fingerprint(first))
    start_run(tmp_path / "run", config)
    start_run(tmp_path / "run", config)  # the same data resumes
    changed = RunConfig("mine", "baseline", 1, 10, "hybrid", None, "none", data_fingerprint(other))
    with pytest.raises(ValueError, match="holds a run of other data"):
        start_run(tmp_path / "run", changed)


def test_the_response_cache_is_a_setting_passed_down(tmp_path, monkeypatch) -> None:
    import os

    from evals.run import EvalOptions
    from graph.context import Context, changed_settings
    from graph.deps import model_settings

    monkeypatch.delenv("CLH_LLM_RESPONSE_CACHE", raising=False)
    path = str(tmp_path / "answers.sqlite")
    assert model_settings(Context(response_cache=path)).response_cache == path
    assert "CLH_LLM_RESPONSE_CACHE" not in os.environ  # nothing toggled for other runs
    assert model_settings(Context()).response_cache is None
    assert changed_settings(Context(response_cache=path)) == ""  # same answers, same run
    monkeypatch.setenv("CLH_LLM_RESPONSE_CACHE", path)  # the shell's way to set it
    assert model_settings(Context()).response_cache == path
    other = str(tmp_path / "other.sqlite")
    assert model_settings(Context(response_cache=other)).response_cache == other
    named = EvalOptions(settings=("lanes=walk", "max_candidates=30")).name
    assert named.endswith("-lanes=walk-max_candidates=30")
