"""note_lanes: the candidates rules alone can find, beside the extractor's (no model call).

Runs in parallel with the evidence extractors. Every codeable mention becomes a finding of lane
``mention`` (its span is the evidence a reviewer sees); mentions that are negated, about family,
hypothetical or uncertain outside inpatient care are recorded as rejected, with the reason.
The pool is ordered by the run's pool ranker (``RunPlan.pool_ranker``; its lanes search
``RunPlan.lane_k`` hits per query, as many as it was fitted with) and capped; the candidates wait in
``lane_candidates`` until the navigators are done.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context, get_context
from graph.deps import Deps, get_deps
from graph.names import Node
from graph.plan import RunPlan, run_plan
from graph.schemas import Candidate, Finding, Rejected, Span
from graph.state import CodingState
from tools.candidate_pool import CandidatePool, PooledCandidate
from tools.code_cues import NoteCues
from tools.first_listed import lead_statement, stated_leads
from tools.lanes import Lane
from tools.note_lanes import LANE_WEIGHTS, CompanionRun, LaneRun, pool_companions, pool_note
from tools.note_mentions import Assertion
from tools.pool_ranker import PoolRanker, load_pool_ranker


async def note_lanes(state: CodingState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Pool the note's deterministic lanes; return their findings and capped candidates."""
    context = get_context(runtime)
    deps = await asyncio.to_thread(get_deps, context)
    plan = await run_plan(state, context)
    if not plan.lanes:
        return {}
    started = time.perf_counter()
    pass_index = state.get("pass_index", 1)
    ranker = load_pool_ranker(plan.pool_ranker)
    run = await asyncio.to_thread(pool_lanes, deps, state["note"], plan)
    ordered, pool_scores = await asyncio.to_thread(order_pool, deps, state["note"], ranker, run)
    findings, finding_of = _mention_findings(run, pass_index, plan.setting)
    candidates = [
        _candidate(c, finding_of).model_copy(update={"pool_score": pool_scores.get(c.code)})
        for c in ordered[: context.max_candidates]
    ]
    beyond = ordered[context.max_candidates : context.max_considered]
    unsaid = [(m.start, m.end) for m, _why in run.set_aside]
    leads, lead_findings = _leads(state["note"], beyond, plan, pass_index, unsaid)
    candidates += [_candidate(c, finding_of, lead_findings) for c in leads]
    findings += lead_findings
    if plan.companions:
        extra, extra_findings = await asyncio.to_thread(
            _companions, deps, state["note"], pass_index, run, plan
        )
        candidates, extra = lend_evidence(candidates, extra)
        candidates += extra[: plan.max_companions]
        used = {c.finding_id for c in candidates}
        findings += [f for f in extra_findings if f.id in used]
    rejected = [
        Rejected(step=Node.NOTE_LANES, item=f'"{m.text}" ({m.assertion})', reason=reason)
        for m, reason in run.set_aside
    ]
    seconds = round(time.perf_counter() - started, 3)
    return {
        "findings": findings,
        "lane_candidates": candidates,
        "pool_ranking": [c.code for c in ordered[: context.max_considered]],
        "rejected": rejected,
        "timings": [{"agent": str(Node.NOTE_LANES), "seconds": seconds, "pass": pass_index}],
    }


def pool_lanes(deps: Deps, note: str, plan: RunPlan) -> LaneRun:
    """Run the plan's lanes over a note (no model call)."""
    finder, walker = deps.readers()
    pool = CandidatePool(deps.icd, expansion=3, weights=LANE_WEIGHTS)
    return pool_note(
        note,
        pool,
        deps.searcher,
        finder,
        walker,
        lanes=plan.lanes,
        setting=plan.setting,
        k=plan.lane_k,
    )


def order_pool(
    deps: Deps, note: str, ranker: PoolRanker | None, run: LaneRun
) -> tuple[list[PooledCandidate], dict[str, float]]:
    """Return the pool in the ranker's order (fused scores without one) and its probabilities.

    The probabilities are the ranker's, that a coder codes each code (none without a ranker).
    """
    pooled = run.pool.ranked()
    if ranker is None:
        return pooled, {}
    ranked = ranker.ranked(deps.icd, pooled, note)
    return [c for c, _p in ranked], {c.code: round(p, 4) for c, p in ranked}


def lend_evidence(
    candidates: list[Candidate], companions: list[Candidate]
) -> tuple[list[Candidate], list[Candidate]]:
    """Return the candidates with the companions' evidence lent, and the companions left.

    A companion another lane pooled already is not asked twice; the companion's sentence
    becomes the candidate's evidence: it is what documents the code, where the other lane
    showed no span (the sentence lane) or a bare index word ("long-term", "status"), and
    a code the note documents is not set aside for want of evidence.
    """
    by_code = {c.code: c for c in companions}
    lent = [
        c.model_copy(
            update={
                "finding_id": by_code[c.code].finding_id,
                "lanes": sorted({*c.lanes, Lane.COMPANION}),
            }
        )
        if c.code in by_code
        else c
        for c in candidates
    ]
    pooled = {c.code for c in candidates}
    return lent, [c for c in companions if c.code not in pooled]


def _companions(
    deps: Deps, note: str, pass_index: int, lanes: LaneRun, plan: RunPlan
) -> tuple[list[Candidate], list[Finding]]:
    """Return the companions the note documents, each with its sentence as a finding."""
    pool = CandidatePool(deps.icd, expansion=3, weights=LANE_WEIGHTS)
    _finder, walker = deps.readers()
    family = [m for m, _ in lanes.set_aside if m.assertion is Assertion.FAMILY]
    past = [
        m
        for m in lanes.mentions
        if plan.past_malignancy == "history" and m.assertion is Assertion.HISTORICAL
    ]
    weeks = NoteCues.read(note).weeks
    run = pool_companions(note, pool, deps.searcher, walker, weeks, family, past=past)
    findings: dict[str, Finding] = {}
    candidates = []
    for pooled_candidate in pool.ranked():
        query = pooled_candidate.queries[0]
        if query not in findings:
            findings[query] = Finding(
                id=f"p{pass_index}.k{len(findings) + 1}",
                term=run.why_of[query],
                spans=_companion_spans(note, run, query),
                lane=Lane.COMPANION,
            )
        candidates.append(_candidate(pooled_candidate, {query: findings[query].id}))
    return candidates, list(findings.values())


def _companion_spans(note: str, run: CompanionRun, query: str) -> list[Span]:
    """Return where the note says what a companion query looked up (none: not found)."""
    if query in run.spans_of:
        return [Span(text=note[a:b], start=a, end=b) for a, b in run.spans_of[query]]
    sentence = run.sentence_of[query]
    start = note.find(sentence)
    return [Span(text=sentence, start=start, end=start + len(sentence))] if start >= 0 else []


def _mention_findings(
    run: LaneRun, pass_index: int, setting: str
) -> tuple[list[Finding], dict[str, str]]:
    """Return a finding per codeable mention, and the finding id of each query it made."""
    findings: list[Finding] = []
    finding_of: dict[str, str] = {}
    for number, mention in enumerate((m for m in run.mentions if m.codeable(setting)), start=1):
        finding = Finding(
            id=f"p{pass_index}.m{number}",
            term=mention.text,
            modifiers=[mention.query] if mention.query != mention.text else [],
            spans=[Span(text=mention.text, start=mention.start, end=mention.end)],
            lane=Lane.MENTION,
        )
        findings.append(finding)
        for query in (mention.query, mention.text, f"personal history of {mention.text}"):
            finding_of.setdefault(query, finding.id)
    return findings, finding_of


def _leads(
    note: str,
    beyond: list[PooledCandidate],
    plan: RunPlan,
    pass_index: int,
    unsaid: list[tuple[int, int]],
) -> tuple[list[PooledCandidate], list[Finding]]:
    """Return the pooled codes beyond the cap the first stated diagnosis names, and it.

    The mentions set aside (``unsaid``: negated, uncertain outside inpatient care) name none.
    """
    statement = lead_statement(note) if plan.max_leads else None
    if statement is None:
        return [], []
    start, end = statement
    named = stated_leads(note, statement, {c.code: c.description for c in beyond}, unsaid)
    leads = [c for c in beyond if c.code in named[: plan.max_leads]]
    text = note[start:end]
    finding = Finding(
        id=f"p{pass_index}.l1",
        term=text,
        spans=[Span(text=text, start=start, end=end)],
        lane=Lane.LEAD,
    )
    return leads, [finding] if leads else []


def _candidate(
    pooled: PooledCandidate, finding_of: dict[str, str], leads: list[Finding] | None = None
) -> Candidate:
    """Return a pooled code as a candidate: with ``leads``, verified as the lead statement's."""
    # The mention whose search ranked the code highest: "HTN" for I10, not "CAD" whose search
    # also listed it, so rivals are grouped by the condition a code codes.
    best = pooled.best_of(finding_of)
    finding_id = finding_of[best] if best is not None else ""
    lanes = ", ".join(f"{lane} #{rank}" for lane, rank in sorted(pooled.lanes.items()))
    if leads:
        finding_id = finding_id or leads[0].id
        lanes += "; named by the first stated diagnosis, verified beyond the cap"
    return Candidate(
        code=pooled.code,
        description=pooled.description,
        chapter=pooled.chapter,
        finding_id=finding_id,
        index_path=pooled.index_path,
        via=f"lanes: {lanes}",
        index_code=pooled.index_code,
        lanes=sorted(pooled.lanes) + ([Lane.LEAD] if leads else []),
    )
