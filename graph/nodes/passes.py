"""Pass bookkeeping: check the note, cut it into chunks, carry a pass's codes into the next."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Overwrite

from graph.context import Context, get_context
from graph.deps import get_deps
from graph.errors import NoteError
from graph.plan import RunPlan, plan_for, run_plan
from graph.schemas import Candidate
from graph.spans import split_note
from graph.state import CodingState
from icd_resources import IcdResources
from tools.lanes import Lane
from tools.sides import sided_siblings, stated_sides

MAX_NOTE_CHARS = 2_000_000


async def prepare_pass(state: CodingState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Start a pass: validate the note (first pass) or write the scratch pad (later passes).

    In a refinement pass the previous pass's codes and rationales are appended to what the
    agents read (paper §5.2), and the per-pass lists are reset.

    Raises:
        NoteError: for an empty note or one beyond MAX_NOTE_CHARS.
    """
    note = state.get("note")
    if not isinstance(note, str) or not note.strip():
        raise NoteError("the note is empty: give the text of a clinical note")
    if len(note) > MAX_NOTE_CHARS:
        raise NoteError(
            f"the note has {len(note):,} characters; clh codes notes of up to "
            f"{MAX_NOTE_CHARS:,} (split it into encounters)"
        )
    context = get_context(runtime)
    # The plan is decided once per run: by the first pass, then carried in the state.
    plan = state.get("plan") if "pass_index" in state else None
    update: dict[str, Any] = {"note_id": state.get("note_id") or "note"}
    if plan is None:
        plan = update["plan"] = await _new_plan(context)
    update["chunks"] = split_note(note, context.chunk_chars) if plan.extractor else []
    if "pass_index" not in state:
        update["started_at"] = time.time()
        update["pass_index"] = 1
        update["scratchpad"] = ""
        return update
    update["pass_index"] = state["pass_index"] + 1
    update["scratchpad"] = scratchpad(state)
    update["findings"] = Overwrite([])
    update["candidates"] = Overwrite([])
    update["lane_candidates"] = Overwrite([])
    update["shown"] = Overwrite([])
    update["verdicts"] = Overwrite([])
    return update


async def _new_plan(context: Context) -> RunPlan:
    """Decide what this run does, once (the first use loads the clients)."""
    deps = await asyncio.to_thread(get_deps, context)
    return await asyncio.to_thread(plan_for, context, deps)


def scratchpad(state: CodingState) -> str:
    """Summarize the last pass's codes and rationales for the next one."""
    codes = state.get("codes") or []
    if not codes:
        return "Pass found no codes."
    lines = [f"Pass {state.get('pass_index', 1)} assigned:"]
    for code in codes:
        evidence = "; ".join(f'"{s.text}"' for s in code.evidence[:2])
        lines.append(f"- {code.code} {code.description} (evidence: {evidence or 'none'})")
    flags = [c for c in state.get("checks") or [] if c.action == "flagged"]
    if flags:
        lines.append("The checks flagged:")
        lines += [f"- {c.rule}: {c.detail[:300]}" for c in flags]
    return "\n".join(lines)


async def merge_findings(state: CodingState) -> dict[str, Any]:
    """Join the chunk branches: one finding per condition, with all its spans.

    Overlapping chunks report the same finding twice; the same condition mentioned twice is
    looked up once.
    """
    merged: dict[tuple[str, str, tuple[str, ...]], Any] = {}
    for finding in state.get("findings", []):
        if finding.lane != Lane.EXTRACTOR:  # one per mention already, each with its own span
            merged[(finding.lane, finding.id, ())] = finding
            continue
        key = (
            finding.lane,
            finding.term.lower(),
            tuple(sorted(m.lower() for m in finding.modifiers)),
        )
        if key not in merged:
            merged[key] = finding.model_copy(deep=True)
            continue
        spans = merged[key].spans
        for span in finding.spans:
            if all(span.start != s.start for s in spans):
                spans.append(span)
    return {"findings": Overwrite(list(merged.values()))}


async def join_candidates(state: CodingState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Wait for every navigator branch, then join the lanes' pool to their candidates.

    Every code a navigator selected stays (the model chose it from the index); the lanes'
    candidates follow in pool order, up to ``max_candidates`` in all.
    """
    chosen = list(state.get("candidates", []))
    codes = {c.code for c in chosen}
    room = get_context(runtime).max_candidates - len(codes)
    added = []
    for candidate in state.get("lane_candidates", []):
        # A companion (tools/companions.py) is a targeted look-up, and a lead the note's first
        # diagnosis names was pooled low: both are verified beyond the cap, or the codes a
        # coder adds and the principal diagnosis would never reach the validator.
        beyond = bool({Lane.COMPANION, Lane.LEAD} & set(candidate.lanes))
        if candidate.code in codes or (room <= 0 and not beyond):
            continue
        codes.add(candidate.code)
        added.append(candidate)
        room -= 0 if beyond else 1
    context = get_context(runtime)
    sides = stated_sides(state.get("note", ""))
    sided: list[Candidate] = []
    if sides and (await run_plan(state, context)).sides:
        deps = await asyncio.to_thread(get_deps, context)
        sided = side_candidates(deps.icd, chosen + added, sides)
    return {"candidates": Overwrite(chosen + added + sided)}


MAX_SIDE_CANDIDATES = 8
"""Sided siblings verified per note, beyond the cap: each is one more yes/no question."""


def side_candidates(
    icd: IcdResources, candidates: list[Candidate], sides: frozenset[str]
) -> list[Candidate]:
    """Return the stated sides' siblings of the candidates of unspecified side (tools/sides.py).

    Each carries its relative's finding and says where it came from; verified like any.
    """
    codes = {c.code for c in candidates}
    added: list[Candidate] = []
    for candidate in candidates:
        for code in sided_siblings(icd, candidate.code, sides):
            if code in codes or len(added) >= MAX_SIDE_CANDIDATES:
                continue
            codes.add(code)
            info = icd.lookup(code)
            added.append(
                candidate.model_copy(
                    update={
                        "code": code,
                        "description": info.description,
                        "index_path": f"{code} in the Tabular List, beside {candidate.code}: "
                        f"{info.description}",
                        "via": f"side stated in the note, beside {candidate.code}",
                        "index_code": code,
                        "lanes": [*candidate.lanes, Lane.SIDE],
                    }
                )
            )
    return added
