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
from graph.plan import SCORED_PROMPT, choose_lanes
from icd_resources import IcdResources, ResourceSettings

THRESHOLDS = tuple(round(0.02 * i, 2) for i in range(1, 50))
"""The P(yes) thresholds tried: 0.02 to 0.98."""


@dataclass(frozen=True)
class Fit:
    """The best threshold and the micro-F1 it reaches, beside every threshold tried."""

    threshold: float
    micro_f1: float
    curve: list[tuple[float, float]]


def predictions_at(
    row: dict[str, Any], threshold: float, cap: int, candidates: int | None = None
) -> list[str]:
    """Return a coded note's scored candidates at or above ``threshold``, best first, capped.

    Args:
        row: a coded note (its funnel's candidates in pool order, and their scores).
        threshold: the P(yes) a candidate needs.
        cap: the final codes kept (``Context.max_final_codes``).
        candidates: only the first this many candidates of the pool: what a run with that
            ``max_candidates`` would have scored (None: all).
    """
    result = row.get("result") or {}
    if "ranking" in result:
        # Decided by condition: a code chosen among rivals stands whatever the threshold;
        # a code with no rival stands if its P(yes) reaches it.
        return [
            c["code"]
            for c in result["codes"]
            if c.get("alternatives") or (c.get("score") or 0.0) >= threshold
        ][:cap]
    funnel = row.get("funnel", {})
    scores: dict[str, float] = funnel.get("scores", {})
    if candidates is not None:
        kept = set(funnel.get("candidates", [])[:candidates])
        scores = {code: score for code, score in scores.items() if code in kept}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [code for code, score in ranked if score >= threshold][:cap]


def fit_threshold(rows: Sequence[dict[str, Any]], cap: int, candidates: int | None = None) -> Fit:
    """Return the threshold with the best micro-F1 over ``rows`` (ties: the higher threshold).

    Gold codes missing from a note's candidates count as misses at every threshold: the
    figure is the pipeline's F1, not the verifier's alone.
    """
    gold = [row["gold"] for row in rows]
    curve = []
    for threshold in THRESHOLDS:
        predicted = [
            align_to_gold(predictions_at(row, threshold, cap, candidates), row["gold"])
            for row in rows
        ]
        curve.append((threshold, micro_macro(predicted, gold)["micro_f1"]))
    best = max(curve, key=lambda point: (point[1], point[0]))
    return Fit(best[0], round(best[1], 4), curve)


def calibrate(
    resources: ResourceSettings,
    options: EvalOptions,
    *,
    fit_candidates: int | None = None,
    progress: Any = None,
    warn: Any = print,
) -> tuple[Calibration, Fit, Path]:
    """Code the training notes keeping every score, fit the threshold, return the file's data.

    The run keeps every scored candidate (threshold 0, no calibration) in its own directory,
    so an interrupted calibration resumes and a refit reads the scores again for free.
    ``fit_candidates`` fits for fewer candidates per note than the run scored (the pool's
    first ones, as a run with that ``max_candidates`` scores them).

    Raises:
        ValueError: for a split other than train, settings Context does not take, or more
            fitted candidates than the run scored.
    """
    if options.split != "train":
        raise ValueError(f"calibration fits on a training split only, not {options.split!r}")
    context = Context(**context_overrides(options.settings))
    fitted = fit_candidates or context.max_candidates
    if fitted > context.max_candidates:
        raise ValueError(
            f"cannot fit for {fitted} candidates per note from a run that scores "
            f"{context.max_candidates} (--set max_candidates)"
        )
    keep_all = replace(
        options,
        decoding="scored",
        settings=(*options.settings, "calibration=none", "verify_threshold=0"),
    )
    result = run_eval(resources, keep_all, progress=progress, warn=warn)
    rows = [r for r in result.rows if "error" not in r]
    fit = fit_threshold(rows, context.max_final_codes, fitted)
    calibration = Calibration(
        version=CALIBRATION_VERSION,
        model=result.model,
        release=IcdResources.load(resources).release,
        prompt=context.prompt_versions.get("scored_verifier", SCORED_PROMPT),
        data=f"{options.dataset}-{options.split}@{result.fingerprint}",
        notes=len(rows),
        candidates=sum(len(predictions_at(r, 0.0, 10**6, fitted)) for r in rows),
        positives=sum(len(r["gold"]) for r in rows),
        created=dt.date.today().isoformat(),
        verify_threshold=fit.threshold,
        train_micro_f1=fit.micro_f1,
        lanes=[str(lane) for lane in choose_lanes(context, scored=True)],
        max_candidates=fitted,
    )
    return calibration, fit, result.run_dir
