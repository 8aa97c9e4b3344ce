"""Assemble the coding result a human coder reviews: every code traceable to the note."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from graph.note_identity import note_sha256
from graph.schemas import Candidate, CodeAssignment, Finding, Span, Verdict
from graph.state import CodingState
from icd_resources import IcdResources
from llm.ledger import summarize


def assignments(
    icd: IcdResources,
    ordered: list[str],
    findings: list[Finding],
    candidates: list[Candidate],
    verdicts: list[Verdict],
    reconciler_rationale: str,
    details: dict[str, str],
) -> list[CodeAssignment]:
    """Build the final code list with evidence, index paths, notes and rationale."""
    by_id = {f.id: f for f in findings}
    paths: dict[str, list[str]] = defaultdict(list)
    finding_ids: dict[str, list[str]] = defaultdict(list)
    for candidate in candidates:
        line = f"{candidate.index_path} (via {candidate.via})"
        if line not in paths[candidate.code]:
            paths[candidate.code].append(line)
        if candidate.finding_id not in finding_ids[candidate.code]:
            finding_ids[candidate.code].append(candidate.finding_id)
    rationale = {v.code: v.rationale for v in verdicts if v.selected}
    result = []
    for rank, code in enumerate(ordered, start=1):
        spans: list[Span] = []
        for finding_id in finding_ids[code]:
            for span in by_id[finding_id].spans if finding_id in by_id else []:
                if all(span.start != s.start for s in spans):
                    spans.append(span)
        info = icd.lookup(code)
        text = rationale.get(code, "")
        if reconciler_rationale:
            text = f"{text}\n\nReconciler: {reconciler_rationale}".strip()
        result.append(
            CodeAssignment(
                rank=rank,
                code=code,
                description=info.description,
                evidence=sorted(spans, key=lambda s: s.start),
                findings=finding_ids[code],
                index_paths=paths[code],
                tabular_notes=[details[code]] if details.get(code) else [],
                rationale=text,
            )
        )
    return result


def build_result(state: CodingState, extra: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON result of a run from its state and the reconciler's latest writes."""
    merged: dict[str, Any] = {**state, **extra}
    calls = list(state.get("calls", [])) + list(extra.get("calls", []))
    timings = list(state.get("timings", [])) + list(extra.get("timings", []))
    seconds: dict[str, float] = defaultdict(float)
    for record in timings:
        seconds[record["agent"]] += record["seconds"]
    accounting = summarize(calls)
    # Node seconds add up parallel branches; the wall time is measured from the first pass.
    accounting["node_seconds_per_agent"] = {k: round(v, 3) for k, v in seconds.items()}
    started = merged.get("started_at")
    if isinstance(started, float):
        accounting["wall_seconds"] = round(time.time() - started, 3)
    return {
        "note_id": merged.get("note_id", "note"),
        "note_sha256": note_sha256(merged.get("note", "")),
        "passes": merged.get("pass_index", 1),
        "codes": [c.model_dump() for c in merged.get("codes", [])],
        "checks": [c.model_dump() for c in merged.get("checks", [])],
        "findings": [f.model_dump() for f in merged.get("findings", [])],
        "rejected": [
            r.model_dump()
            for r in list(state.get("rejected", [])) + list(extra.get("rejected", []))
        ],
        "failures": [
            f.model_dump()
            for f in list(state.get("failures", [])) + list(extra.get("failures", []))
        ],
        "pass_history": list(state.get("passes", [])) + list(extra.get("passes", [])),
        "funnel": {
            "shown": sorted(set(state.get("shown", []))),
            "candidates": list(dict.fromkeys(c.code for c in state.get("candidates", []))),
            "validated": list(
                dict.fromkeys(v.code for v in state.get("verdicts", []) if v.selected)
            ),
            "final": [c.code for c in merged.get("codes", [])],
            # The verifier's P(yes) per scored candidate: what calibration fits a threshold to.
            "scores": {v.code: v.score for v in state.get("verdicts", []) if v.score is not None},
        },
        "accounting": accounting,
    }
