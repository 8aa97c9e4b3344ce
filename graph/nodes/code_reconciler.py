"""code_reconciler: finalize one ordered code set with the instructional notes and guidelines."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context, get_context
from graph.deps import get_deps
from graph.nodes.common import call_records, failure, timing
from graph.result import assignments, build_result
from graph.schemas import Check
from graph.state import CodingState
from llm import AnswerFailure, Decoding
from prompts import render_prompt
from tools.code_checks import run_checks
from tools.guideline_fetch import general_guidelines
from tools.tabular_lookup import code_details

AGENT = "code_reconciler"


async def code_reconciler(state: CodingState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Select and order the final codes, then run the deterministic checks."""
    started = time.perf_counter()
    context = get_context(runtime)
    deps = await asyncio.to_thread(get_deps, context)  # first use loads models: off the loop
    pass_index = state.get("pass_index", 1)
    tentative: list[str] = []
    for verdict in state.get("verdicts", []):
        if verdict.selected and verdict.code not in tentative:
            tentative.append(verdict.code)
    details = {code: code_details(deps.icd, code, max_chars=600) for code in tentative}
    update: dict[str, Any] = {"calls": [], "failures": [], "checks": []}
    ordered: list[str] = []
    rationale = ""
    if tentative:
        structured = deps.llm.decoding_for(AGENT) is Decoding.STRUCTURED
        messages = render_prompt(
            AGENT,
            context.prompt_versions.get(AGENT, "v1"),
            note=state["note"],
            scratchpad=state.get("scratchpad", ""),
            codes=[
                {"code": c, "description": deps.icd.lookup(c).description, "notes": details[c]}
                for c in tentative
            ],
            guidelines=general_guidelines(deps.icd, context.guideline_chars),
            structured=structured,
        )
        outcome = await deps.llm.ask_ids(
            AGENT,
            messages,
            range(1, len(tentative) + 1),
            multiple=True,
            note_id=state.get("note_id"),
        )
        update["calls"] = call_records(outcome)
        if isinstance(outcome, AnswerFailure):
            # A visible fallback: the validated codes, unreconciled, in validation order.
            update["failures"] = [failure(AGENT, "final code set", outcome)]
            ordered = list(tentative)
            update["checks"] = [
                Check(
                    rule="Reconciler fallback",
                    codes=ordered,
                    action="kept all validated codes",
                    detail="the reconciler gave no usable answer",
                )
            ]
        else:
            ordered = [tentative[i - 1] for i in outcome.value]
            rationale = (outcome.reasoning or outcome.reply)[-1500:]
            dropped = [c for c in tentative if c not in ordered]
            if dropped:
                update["rejected"] = [
                    {"step": AGENT, "item": c, "reason": "not selected by the reconciler"}
                    for c in dropped
                ]
    ordered, checks = run_checks(deps.icd, ordered)
    update["checks"] = update["checks"] + checks
    update["codes"] = assignments(
        deps.icd,
        ordered,
        state.get("findings", []),
        state.get("candidates", []),
        state.get("verdicts", []),
        rationale,
        details,
    )
    update["passes"] = [{"pass": pass_index, "codes": ordered}]
    update["timings"] = [timing(AGENT, started, pass_index)]
    update["result"] = build_result(state, update)
    return update
