"""Calibration files: provenance, refusal of a mismatched file, and the threshold fit."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from evals.calibrate import fit_threshold, predictions_at
from graph.calibration import CALIBRATION_VERSION, Calibration, find_calibration, read_calibration
from graph.context import Context, context_overrides
from graph.errors import CalibrationError
from graph.plan import choose_lanes

FITTED = Calibration(
    version=CALIBRATION_VERSION,
    model="qwen2.5-coder-1.5b",
    release="FY2026",
    prompt="scored2",
    data="codiesp-train@abc",
    notes=40,
    candidates=800,
    positives=410,
    created="2026-11-27",
    verify_threshold=0.62,
    train_micro_f1=0.3,
    lanes=["mention", "walk"],
    max_candidates=20,
)


def test_a_file_for_another_model_release_or_prompt_is_refused() -> None:
    FITTED.check("qwen2.5-coder-1.5b", "FY2026", "scored2")  # the same: accepted
    with pytest.raises(CalibrationError, match="model 'qwen2.5-coder-1.5b', this run uses 'gpt"):
        FITTED.check("gpt-oss-20b", "FY2026", "scored2")
    with pytest.raises(CalibrationError, match="release 'FY2026'"):
        FITTED.check("qwen2.5-coder-1.5b", "FY2025", "scored2")
    with pytest.raises(CalibrationError, match="scored prompt"):
        FITTED.check("qwen2.5-coder-1.5b", "FY2026", "scored1")


def test_a_file_round_trips_and_a_bad_one_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(FITTED.to_json())
    assert read_calibration(path) == FITTED
    assert find_calibration(str(path), "any") == FITTED
    assert find_calibration("none", "any") is None
    assert find_calibration("packaged", "a-model-clh-ships-no-file-for") is None
    path.write_text(json.dumps({**json.loads(FITTED.to_json()), "version": 99}))
    with pytest.raises(CalibrationError, match="version 99"):
        read_calibration(path)
    path.write_text("{not json")
    with pytest.raises(CalibrationError, match="cannot read"):
        read_calibration(path)
    path.write_text('{"threshold": 0.5}')
    with pytest.raises(CalibrationError, match="not a clh calibration file"):
        read_calibration(path)
    with pytest.raises(CalibrationError, match="cannot read"):
        read_calibration(tmp_path / "missing.json")


def _row(gold: list[str], scores: dict[str, float]) -> dict[str, object]:
    return {"gold": gold, "funnel": {"scores": scores}}


def test_the_threshold_fit_maximizes_micro_f1_over_the_notes() -> None:
    rows = [
        _row(["A00.0", "B01.9"], {"A00.0": 0.9, "B01.9": 0.7, "C00.0": 0.5, "D00.0": 0.3}),
        _row(["E11.9"], {"E11.9": 0.75, "I10": 0.6, "Z66": 0.2}),
        _row(["J18.9", "K21.9"], {"J18.9": 0.8, "N18.3": 0.4}),  # K21.9 never a candidate
    ]
    fit = fit_threshold(rows, cap=20)
    # at 0.62-0.70 every prediction is right (4 of 5 gold found): the best F1, 8/9
    assert 0.6 < fit.threshold <= 0.7
    assert fit.micro_f1 == pytest.approx(round(8 / 9, 4))
    assert predictions_at(rows[0], 0.5, cap=2) == ["A00.0", "B01.9"]  # best first, capped
    low = dict(fit.curve)[0.02]
    assert low < fit.micro_f1


def test_context_settings_are_typed_and_checked() -> None:
    values = context_overrides(
        ["lanes=walk", "extractor=false", "verify_threshold=0.4", "calibration=none", "lanes="]
    )
    assert values == {
        "lanes": [],
        "extractor": False,
        "verify_threshold": 0.4,
        "calibration": "none",
    }
    assert context_overrides(["prompt_versions=scored_verifier:scored1"]) == {
        "prompt_versions": {"scored_verifier": "scored1"}
    }
    for bad, message in (
        ("lanes=everything", "not among"),
        ("nonsense=1", "expected field=value"),
        ("extractor=maybe", "true or false"),
        ("setting=er", "one of inpatient, outpatient"),
        ("decoding=scored", "expected field=value"),  # --decoding sets it
        ("min_pool_score=16", "a probability, between 0 and 1"),
        ("verify_threshold=-0.1", "a probability, between 0 and 1"),
    ):
        with pytest.raises(ValueError, match=message):
            context_overrides([bad])
    assert replace(FITTED, notes=1).notes == 1


def test_the_lanes_are_the_rankers_or_follow_the_validators_decoding_unless_set() -> None:
    ranked = ["mention", "walk", "sentence"]
    assert choose_lanes(Context(), scored=True) == choose_lanes(Context(), scored=False) == ranked
    fused = Context(pool_ranker="fused")
    assert choose_lanes(fused, scored=True) == ["walk"]
    assert choose_lanes(fused, scored=False) == ["mention", "walk"]
    assert choose_lanes(Context(lanes=["mention"]), scored=True) == ["mention"]
    assert choose_lanes(Context(lanes=[]), scored=False) == []
    assert context_overrides(["lanes=none"]) == {"lanes": None}
    assert context_overrides(["min_pool_score=none"]) == {"min_pool_score": None}


def test_a_fit_for_fewer_candidates_reads_the_pools_first_ones() -> None:
    row = {
        "gold": ["B01.9"],
        "funnel": {
            "candidates": ["A00.0", "C00.0", "B01.9"],
            "scores": {"A00.0": 0.6, "C00.0": 0.9, "B01.9": 0.95},
        },
    }
    assert predictions_at(row, 0.5, cap=20) == ["B01.9", "C00.0", "A00.0"]
    assert predictions_at(row, 0.5, cap=20, candidates=2) == ["C00.0", "A00.0"]
    assert fit_threshold([row], cap=20, candidates=2).micro_f1 == 0.0
    assert fit_threshold([row], cap=20).micro_f1 == 1.0


def test_a_runs_changed_settings_identify_it() -> None:
    from graph.context import Context, changed_settings

    assert changed_settings(Context()) == ""
    assert changed_settings(Context(lanes=["walk"], max_candidates=30)) == (
        "lanes=['walk'],max_candidates=30"
    )


def test_a_decided_result_keeps_its_chosen_codes_at_any_threshold() -> None:
    from evals.calibrate import predictions_at

    row = {
        "result": {
            "ranking": ["C50.412", "E11.9", "C50.912"],
            "codes": [
                {"code": "C50.412", "score": 0.4, "alternatives": ["C50.912"]},
                {"code": "E11.9", "score": 0.7, "alternatives": []},
            ],
        }
    }
    assert predictions_at(row, 0.5, 20) == ["C50.412", "E11.9"]
    assert predictions_at(row, 0.8, 20) == ["C50.412"]  # the lone code needs its P(yes)
