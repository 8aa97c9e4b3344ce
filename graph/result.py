"""Assemble the coding result a human coder reviews: every code traceable to the note."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from clh_llm.ledger import summarize
from graph.note_identity import note_sha256
from graph.schemas import Candidate, Check, CodeAssignment, Finding, Span, Verdict
from graph.state import CodingState
from icd_resources import IcdResources


def assignments(
    icd: IcdResources,
    ordered: list[str],
    findings: list[Finding],
    candidates: list[Candidate],
    verdicts: list[Verdict],
    reconciler_rationale: str,
    details: dict[str, str],
    checks: list[Check] | None = None,
) -> list[CodeAssignment]:
    """Build the final code list with evidence, index paths, notes and rationale.

    A code a check put in place of others (a combination code for its parts, OCG I.A.15)
    carries its parts' evidence.
    """
    by_id = {f.id: f for f in findings}
    paths: dict[str, list[str]] = defaultdict(list)
    finding_ids: dict[str, list[str]] = defaultdict(list)
    for candidate in candidates:
        line = f"{candidate.index_path} (via {candidate.via})"
        if line not in paths[candidate.code]:
            paths[candidate.code].append(line)
        if candidate.finding_id not in finding_ids[candidate.code]:
            finding_ids[candidate.code].append(candidate.finding_id)
    for check in checks or []:
        replaced = _REPLACED.match(check.action)
        if replaced:
            parts = [c for c in check.codes if c != replaced.group(1)]
            finding_ids[replaced.group(1)] += [
                f for part in parts for f in finding_ids.get(part, []) if f
            ]
    rationale = {v.code: v.rationale for v in verdicts if v.selected}
    verdict_of = {v.code: v for v in verdicts}
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
                score=verdict_of[code].score if code in verdict_of else None,
                condition=verdict_of[code].condition if code in verdict_of else code,
                alternatives=alternatives(code, verdicts),
            )
        )
    return result


def evidence_spans(findings: list[Finding], candidates: list[Candidate]) -> dict[str, list[Span]]:
    """Return each candidate code's evidence: the spans of the findings that reached it."""
    by_id = {f.id: f for f in findings}
    spans: dict[str, list[Span]] = defaultdict(list)
    for candidate in candidates:
        found = by_id.get(candidate.finding_id)
        for span in found.spans if found is not None else []:
            if all(span.start != s.start for s in spans[candidate.code]):
                spans[candidate.code].append(span)
    return dict(spans)


def alternatives(code: str, verdicts: list[Verdict]) -> list[str]:
    """Return the other codes of a code's condition, best first (choice, then P(yes))."""
    condition = next((v.condition for v in verdicts if v.code == code and v.condition), "")
    rivals = [v for v in verdicts if condition and v.condition == condition and v.code != code]
    rivals.sort(key=lambda v: (-(v.choice or 0.0), -(v.score or 0.0)))
    return list(dict.fromkeys(v.code for v in rivals))


def build_result(state: CodingState, describe: Callable[[str], str]) -> dict[str, Any]:
    """Return the JSON result of a run from its merged state (the finalize node).

    Args:
        state: the state after the last pass.
        describe: a code's description, for the considered codes never verified.
    """
    seconds: dict[str, float] = defaultdict(float)
    for record in state.get("timings", []):
        seconds[record["agent"]] += record["seconds"]
    accounting = summarize(list(state.get("calls", [])))
    # Node seconds add up parallel branches; the wall time is measured from the first pass.
    accounting["node_seconds_per_agent"] = {k: round(v, 3) for k, v in seconds.items()}
    started = state.get("started_at")
    if isinstance(started, float):
        accounting["wall_seconds"] = round(time.time() - started, 3)
    codes = list(state.get("codes", []))
    verdicts = list(state.get("verdicts", []))
    also = considered(state, describe)
    return {
        "note_id": state.get("note_id", "note"),
        "note_sha256": note_sha256(state.get("note", "")),
        "passes": state.get("pass_index", 1),
        "codes": [c.model_dump() for c in codes],
        "considered": also,
        "ranking": [c.code for c in codes] + [item["code"] for item in also],
        "checks": [c.model_dump() for c in state.get("checks", [])],
        "findings": [f.model_dump() for f in state.get("findings", [])],
        "rejected": [r.model_dump() for r in state.get("rejected", [])],
        "failures": [f.model_dump() for f in state.get("failures", [])],
        "pass_history": list(state.get("passes", [])),
        "funnel": {
            "shown": sorted(set(state.get("shown", []))),
            "candidates": list(dict.fromkeys(c.code for c in state.get("candidates", []))),
            "validated": list(dict.fromkeys(v.code for v in verdicts if v.selected)),
            "final": [c.code for c in codes],
            # The verifier's P(yes) per scored candidate: what calibration fits a threshold to.
            "scores": {v.code: v.score for v in verdicts if v.score is not None},
            # The pool ranker's P(coded) per candidate it scored: the final decision's other half.
            "pool_scores": {
                c.code: c.pool_score
                for c in state.get("candidates", [])
                if c.pool_score is not None
            },
        },
        "accounting": accounting,
    }


_REPLACED = re.compile(r"^replaced .+ with (\S+)$")
_REMOVED = re.compile(r"^removed (?:duplicate )?(\S+)")


def considered(state: CodingState, describe: Callable[[str], str]) -> list[dict[str, Any]]:
    """Return every pooled candidate below the final codes, best first, with why it is not final.

    Verified candidates come first, then the unverified rest, each in the pool's order (its
    ranker, fitted on coded notes, ranks what a coder codes better than P(yes) does). A code
    a check removed names the check.
    """
    final = {c.code for c in state.get("codes", [])}
    removed_by = {
        m.group(1): f"{check.rule}: {check.detail}".strip(": ")
        for check in state.get("checks", [])
        if (m := _REMOVED.match(check.action))
    }
    verdicts = {v.code: v for v in state.get("verdicts", []) if v.code not in final}
    described = {c.code: c.description for c in state.get("candidates", [])}
    items = []
    pooled = {code: i for i, code in enumerate(described)}
    for verdict in sorted(verdicts.values(), key=lambda v: pooled.get(v.code, len(pooled))):
        items.append(
            {
                "code": verdict.code,
                "description": described.get(verdict.code) or describe(verdict.code),
                "score": verdict.score,
                "choice": verdict.choice,
                "condition": verdict.condition,
                "why": removed_by.get(verdict.code) or verdict.rationale,
            }
        )
    for rank, code in enumerate(state.get("pool_ranking", []), start=1):
        if code not in final and code not in verdicts:
            items.append(
                {
                    "code": code,
                    "description": describe(code),
                    "score": None,
                    "choice": None,
                    "condition": "",
                    "why": f"not verified: ranked {rank} in the pool",
                }
            )
    return items
