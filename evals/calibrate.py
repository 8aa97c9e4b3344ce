"""Fit scored decoding's threshold on training notes: ``clh calibrate``.

The training notes are coded once with every scored candidate kept (threshold 0, through the
eval runner, so the run resumes); the threshold that maximizes micro-F1 over those notes is
written with its provenance to a calibration file that a run loads through
``Context.calibration``. Only a training split is accepted: dev and test measure the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evals.metrics import align_to_gold, micro_macro
from evals.run import EvalOptions, run_eval
from graph.calibration import CALIBRATION_VERSION, Calibration
from graph.context import Context, context_overrides
from graph.nodes.scoring import SCORED_PROMPT
from icd_resources import IcdResources, ResourceSettings

THRESHOLDS = tuple(round(0.02 * i, 2) for i in range(1, 50))
"""The P(yes) thresholds tried: 0.02 to 0.98."""


@dataclass(frozen=True)
class Fit:
    """The best threshold and the micro-F1 it reaches, beside every threshold tried."""

    threshold: float
    micro_f1: float
    curve: list[tuple[float, float]]


def predictions_at(row: dict[str, Any], threshold: float, cap: int) -> list[str]:
    """Return a coded note's scored candidates at or above ``threshold``, best first, capped."""
    scores: dict[str, float] = row.get("funnel", {}).get("scores", {})
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [code for code, score in ranked if score >= threshold][:cap]


def fit_threshold(rows: Sequence[dict[str, Any]], cap: int) -> Fit:
    """Return the threshold with the best micro-F1 over ``rows`` (ties: the higher threshold).

    Gold codes missing from a note's candidates count as misses at every threshold: the
    figure is the pipeline's F1, not the verifier's alone.
    """
    gold = [row["gold"] for row in rows]
    curve = []
    for threshold in THRESHOLDS:
        predicted = [
            align_to_gold(predictions_at(row, threshold, cap), row["gold"]) for row in rows
        ]
        curve.append((threshold, micro_macro(predicted, gold)["micro_f1"]))
    best = max(curve, key=lambda point: (point[1], point[0]))
    return Fit(best[0], round(best[1], 4), curve)


def calibrate(
    resources: ResourceSettings,
    options: EvalOptions,
    *,
    progress: Any = None,
    warn: Any = print,
) -> tuple[Calibration, Fit, Path]:
    """Code the training notes keeping every score, fit the threshold, return the file's data.

    The run keeps every scored candidate (threshold 0, no calibration) in its own directory,
    so an interrupted calibration resumes and a refit reads the scores again for free.

    Raises:
        ValueError: for a split other than train, or settings Context does not take.
    """
    if options.split != "train":
        raise ValueError(f"calibration fits on a training split only, not {options.split!r}")
    context = Context(**context_overrides(options.settings))
    keep_all = replace(
        options,
        decoding="scored",
        settings=(*options.settings, "calibration=none", "verify_threshold=0"),
    )
    result = run_eval(resources, keep_all, progress=progress, warn=warn)
    rows = [r for r in result.rows if "error" not in r]
    fit = fit_threshold(rows, context.max_final_codes)
    calibration = Calibration(
        version=CALIBRATION_VERSION,
        model=result.model,
        release=IcdResources.load(resources).release,
        prompt=context.prompt_versions.get("scored_verifier", SCORED_PROMPT),
        data=f"{options.dataset}-{options.split}@{result.fingerprint}",
        notes=len(rows),
        candidates=sum(len(r.get("funnel", {}).get("scores", {})) for r in rows),
        positives=sum(len(r["gold"]) for r in rows),
        created=dt.date.today().isoformat(),
        verify_threshold=fit.threshold,
        train_micro_f1=fit.micro_f1,
        lanes=list(context.lanes),
        max_candidates=context.max_candidates,
    )
    return calibration, fit, result.run_dir
