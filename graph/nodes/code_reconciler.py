"""code_reconciler: finalize one ordered code set with the instructional notes and guidelines."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from langgraph.runtime import Runtime

from clh_llm import Decoding
from clh_llm.answers import readable_rationale
from graph.context import Context, notes_budget
from graph.names import Node
from graph.nodes.kit import AgentRun
from graph.plan import RunPlan
from graph.result import assignments, evidence_spans
from graph.schemas import Check, CodeAssignment, Span
from graph.state import CodingState
from icd_resources import IcdResources
from tools.abnormal_findings import (
    ABNORMAL_FINDINGS,
    UNSTATED_SYMPTOMS,
    findings_only,
    unstated_symptoms,
)
from tools.code_checks import run_checks
from tools.first_listed import own_problems, reason_first
from tools.guideline_fetch import general_guidelines
from tools.tabular_lookup import code_details


async def code_reconciler(state: CodingState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Select and order the final codes, then run the deterministic checks."""
    run = await AgentRun.start(Node.CODE_RECONCILER, runtime, state)
    icd = run.deps.icd
    tentative = _tentative(run, state)
    budget = notes_budget(run.context, len(tentative))
    details = {code: code_details(icd, code, budget) for code in tentative}
    ordered, rationale, fallback = await _reconcile(run, state, tentative, details)
    spans = evidence_spans(state.get("findings", []), state.get("candidates", []))
    starts = _stated_starts(spans)
    descriptions = {code: info.description for code in ordered if (info := icd.get(code))}
    ordered, observed = _abnormal_findings(
        icd, ordered, spans, descriptions, state["note"], run.plan
    )
    lead: list[Check] = []
    if ordered and run.plan.first_listed == "stated":
        ordered, lead = reason_first(ordered, starts, state["note"], descriptions)
    problems = own_problems(ordered, starts, state["note"], descriptions)
    policy = replace(run.plan.check_policy(), own_problems=problems)
    ordered, checks = run_checks(icd, ordered, policy)
    codes = assignments(
        icd,
        ordered,
        state.get("findings", []),
        state.get("candidates", []),
        state.get("verdicts", []),
        rationale,
        details,
        checks,
    )
    codes, unsupported = evidence_required(codes, run.plan.evidence_required)
    codes, leads = evidence_leads(codes)
    return run.finish(
        checks=fallback + observed + lead + checks + unsupported + leads,
        codes=codes,
        passes=[{"pass": run.pass_index, "codes": [c.code for c in codes]}],
    )


_NOT_EVIDENCE = frozenset("old output essential status history long-term low high".split())
"""Words that are main terms of the index but say nothing alone: "old" reaches "Old" entries,
"output" reaches "Low, output syndrome (cardiac)"; a span of one of them is not evidence."""


def _stated_starts(spans: dict[str, list[Span]]) -> dict[str, list[int]]:
    """Return where each code's evidence starts, spans of a bare index word aside."""
    return {
        code: [s.start for s in found if s.text.strip().lower() not in _NOT_EVIDENCE]
        for code, found in spans.items()
    }


def _abnormal_findings(
    icd: IcdResources,
    codes: list[str],
    spans: dict[str, list[Span]],
    descriptions: dict[str, str],
    note: str,
    plan: RunPlan,
) -> tuple[list[str], list[Check]]:
    """Remove the codes whose only evidence is an observation, a result or a complaint.

    Observations and results: the exam, ROS, vitals, labs, imaging (``RunPlan.findings``);
    complaints: symptoms the stated diagnoses leave out (``RunPlan.symptoms``).
    """
    starts = _stated_starts(spans)
    observed = findings_only(codes, starts, note, descriptions) if plan.findings == "remove" else []
    unstated: list[str] = []
    if plan.symptoms == "stated":
        symptoms = [c for c in codes if c not in observed and icd.chapter_of(c).number == 18]
        evidence = {
            code: [(s.start, s.text) for s in spans[code] if s.start in starts[code]]
            for code in symptoms
            if code in starts
        }
        unstated = unstated_symptoms(symptoms, evidence, note)
    checks = [_removed(ABNORMAL_FINDINGS, code, _OBSERVED) for code in observed] + [
        _removed(UNSTATED_SYMPTOMS, code, _UNSTATED) for code in unstated
    ]
    return [c for c in codes if c not in observed and c not in unstated], checks


_OBSERVED = (
    "its only evidence is an observation or result (exam, review of systems, vitals, labs or "
    "imaging), not a diagnosis the provider states"
)
_UNSTATED = (
    "a symptom the note's stated diagnoses do not list: the presentation of a diagnosis, not "
    "coded beside it"
)


def _removed(rule: str, code: str, detail: str) -> Check:
    return Check(rule=rule, codes=[code], action=f"removed {code}", detail=detail)


def has_evidence(code: CodeAssignment) -> bool:
    """Say whether a code has a span of the note behind it that is more than a bare word."""
    return any(span.text.strip().lower() not in _NOT_EVIDENCE for span in code.evidence)


def evidence_required(
    codes: list[CodeAssignment], required: bool
) -> tuple[list[CodeAssignment], list[Check]]:
    """Remove the codes with no evidence in the note when ``Context.evidence`` requires it."""
    if not required:
        return codes, []
    kept = [c for c in codes if has_evidence(c)]
    checks = [
        Check(
            rule="A code needs evidence in the note",
            codes=[c.code],
            action=f"removed {c.code}",
            detail="no span of the note is behind it (reached by a sentence's words alone)",
        )
        for c in codes
        if not has_evidence(c)
    ]
    return [c.model_copy(update={"rank": i}) for i, c in enumerate(kept, start=1)], checks


def evidence_leads(codes: list[CodeAssignment]) -> tuple[list[CodeAssignment], list[Check]]:
    """Never list first a code without evidence in the note, when one with evidence exists.

    A code reached by a sentence's words alone (or a prompt injection's) may be right, but the
    first-listed code is the reason for the encounter: it needs words of the note behind it.
    """
    if not codes or has_evidence(codes[0]):
        return codes, []
    lead = next((c for c in codes if has_evidence(c)), None)
    if lead is None:
        return codes, []
    ordered = [lead, *[c for c in codes if c is not lead]]
    check = Check(
        rule="A first-listed code needs evidence in the note",
        codes=[lead.code, codes[0].code],
        action=f"moved {lead.code} before {codes[0].code}",
        detail=f"{codes[0].code} has no evidence span in the note.",
    )
    return [c.model_copy(update={"rank": i}) for i, c in enumerate(ordered, start=1)], [check]


def _tentative(run: AgentRun, state: CodingState) -> list[str]:
    """Return the validated codes the reconciler orders: in the pool's order, within the cap.

    The pool ranker, fitted on coded notes, orders what a coder codes better than the
    verifier's P(yes), which sits between 0.7 and 0.9 for nearly every code it accepts; the
    checks and the stated first-listed diagnosis sequence the set after. A cap keeps the
    reconciler's prompt within what a small model reads in time; what is left out is
    recorded, not dropped silently.
    """
    pooled = dict.fromkeys(c.code for c in state.get("candidates", []))
    order = {code: i for i, code in enumerate(pooled)}
    selected = [v for v in state.get("verdicts", []) if v.selected]
    selected.sort(key=lambda v: order.get(v.code, len(order)))  # stable
    codes = list(dict.fromkeys(v.code for v in selected))
    cap = run.context.max_final_codes
    for code in codes[cap:]:
        run.reject(code, f"validated but not reconciled: beyond the first {cap} validated codes")
    return codes[:cap]


async def _reconcile(
    run: AgentRun, state: CodingState, tentative: list[str], details: dict[str, str]
) -> tuple[list[str], str, list[Check]]:
    """Ask the model for the final ordered set; return it, the rationale and any fallback.

    Under scored decoding the validated codes keep the pool's order;
    the deterministic checks then sequence them (code first, status codes after the
    condition...).
    """
    if not tentative or run.decoding == Decoding.SCORED:
        return list(tentative), "", []
    messages = run.render(
        note=state["note"],
        scratchpad=state.get("scratchpad", ""),
        codes=[
            {"code": c, "description": run.deps.icd.lookup(c).description, "notes": details[c]}
            for c in tentative
        ],
        guidelines=general_guidelines(run.deps.icd, run.context.guideline_chars),
    )
    outcome = await run.deps.llm.ask_ids(
        run.agent, messages, range(1, len(tentative) + 1), multiple=True, note_id=run.note_id
    )
    if not run.record(outcome, "final code set"):
        # A visible fallback: the validated codes, unreconciled, in validation order.
        fallback = Check(
            rule="Reconciler fallback",
            codes=list(tentative),
            action="kept all validated codes",
            detail="the reconciler gave no usable answer",
        )
        return list(tentative), "", [fallback]
    ordered = [tentative[i - 1] for i in outcome.value]
    for code in tentative:
        if code not in ordered:
            run.reject(code, "not selected by the reconciler")
    return ordered, readable_rationale(outcome.reasoning or outcome.reply)[-1500:], []
