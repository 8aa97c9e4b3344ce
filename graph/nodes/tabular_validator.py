"""tabular_validator: verify one chapter's candidates in the Tabular List and the Guidelines."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context, get_context
from graph.deps import get_deps
from graph.nodes.common import call_records, failure, timing
from graph.schemas import Candidate, Verdict
from graph.state import ChapterTask
from llm import AnswerFailure, Decoding
from prompts import render_prompt
from tools.guideline_fetch import chapter_guidelines
from tools.tabular_lookup import code_details

AGENT = "tabular_validator"
_RATIONALE_CHARS = 1500


def unique_by_code(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the first candidate of each code (its finding order)."""
    seen: dict[str, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.code, candidate)
    return list(seen.values())


async def tabular_validator(task: ChapterTask, runtime: Runtime[Context]) -> dict[str, Any]:
    """Select the assignable billable codes among one chapter's candidates."""
    started = time.perf_counter()
    context = get_context(runtime)
    deps = await asyncio.to_thread(get_deps, context)  # first use loads models: off the loop
    findings = {f.id: f for f in task["findings"]}
    unique = unique_by_code(task["candidates"])
    shown = unique[: context.max_candidates_per_chapter]
    rejected: list[dict[str, Any]] = []
    if len(unique) > len(shown):
        rejected.append(
            {
                "step": AGENT,
                "item": f"chapter {task['chapter']}",
                "reason": f"{len(unique) - len(shown)} candidates beyond the first "
                f"{len(shown)} not shown: " + ", ".join(c.code for c in unique[len(shown) :]),
            }
        )
    lines = []
    for candidate in shown:
        finding = findings.get(candidate.finding_id)
        label = finding.term if finding else candidate.finding_id
        if finding and finding.spans:
            label += f' ("{finding.spans[0].text[:120]}")'
        lines.append(
            {
                "code": candidate.code,
                "description": candidate.description,
                "details": code_details(deps.icd, candidate.code),
                "finding": label,
            }
        )
    messages = render_prompt(
        AGENT,
        context.prompt_versions.get(AGENT, "v1"),
        note=task["note"],
        scratchpad=task["scratchpad"],
        chapter=task["chapter"],
        candidates=lines,
        guidelines=chapter_guidelines(
            deps.icd, task["chapter"], [c.code for c in shown], context.guideline_chars
        ),
        structured=deps.llm.decoding_for(AGENT) is Decoding.STRUCTURED,
    )
    outcome = await deps.llm.ask_ids(
        AGENT, messages, range(1, len(shown) + 1), multiple=True, note_id=task["note_id"]
    )
    update: dict[str, Any] = {
        "calls": call_records(outcome),
        "rejected": rejected,
        "timings": [timing(AGENT, started, task["pass_index"])],
    }
    if isinstance(outcome, AnswerFailure):
        update["failures"] = [failure(AGENT, f"chapter {task['chapter']}", outcome)]
        return update
    chosen = set(outcome.value)
    rationale = (outcome.reasoning or outcome.reply)[-_RATIONALE_CHARS:]
    update["verdicts"] = [
        Verdict(
            code=c.code,
            chapter=task["chapter"],
            finding_id=c.finding_id,
            selected=number in chosen,
            rationale=rationale,
            notes_checked=[lines[number - 1]["details"]] if lines[number - 1]["details"] else [],
        )
        for number, c in enumerate(shown, start=1)
    ]
    return update
