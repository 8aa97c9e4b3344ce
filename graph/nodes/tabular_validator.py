"""tabular_validator: verify one chapter's candidates in the Tabular List and the Guidelines."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from clh_llm import Decoding
from clh_llm.answers import readable_rationale
from graph.context import Context, notes_budget
from graph.names import Node
from graph.nodes.kit import AgentRun
from graph.nodes.scoring import score_candidates
from graph.schemas import Candidate, Finding, Verdict
from graph.state import ChapterTask
from icd_resources import IcdResources
from tools.guideline_fetch import chapter_guidelines
from tools.tabular_lookup import code_details

_RATIONALE_CHARS = 1500


def unique_by_code(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the first candidate of each code (its finding order)."""
    seen: dict[str, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.code, candidate)
    return list(seen.values())


async def tabular_validator(task: ChapterTask, runtime: Runtime[Context]) -> dict[str, Any]:
    """Select the assignable billable codes among one chapter's candidates."""
    run = await AgentRun.start(Node.TABULAR_VALIDATOR, runtime, task)
    icd = run.deps.icd
    findings = {f.id: f for f in task["findings"]}
    unique = unique_by_code(task["candidates"])
    shown = unique[: run.context.max_candidates_per_chapter]
    if len(unique) > len(shown):
        run.reject(
            f"chapter {task['chapter']}",
            f"{len(unique) - len(shown)} candidates beyond the first {len(shown)} not shown: "
            + ", ".join(c.code for c in unique[len(shown) :]),
        )
    budget = notes_budget(run.context, len(shown))
    lines = _candidate_lines(icd, shown, findings, budget)
    if run.decoding == Decoding.SCORED:
        verdicts = await score_candidates(run, task, shown, lines)
        if verdicts is not None:
            return run.finish(verdicts=verdicts)
    return await _select_candidates(run, task, shown, lines)


def _candidate_lines(
    icd: IcdResources, shown: list[Candidate], findings: dict[str, Finding], budget: int
) -> list[dict[str, str]]:
    """Return what the model reads of each candidate: code, description, notes, finding."""
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
                "details": code_details(icd, candidate.code, budget),
                "finding": label,
            }
        )
    return lines


async def _select_candidates(
    run: AgentRun, task: ChapterTask, shown: list[Candidate], lines: list[dict[str, str]]
) -> dict[str, Any]:
    """Show the chapter's candidates at once; the model selects the assignable IDs."""
    icd = run.deps.icd
    messages = run.render(
        note=task["note"],
        scratchpad=task["scratchpad"],
        chapter=task["chapter"],
        setting=run.context.setting,
        candidates=lines,
        guidelines=chapter_guidelines(
            icd, task["chapter"], [c.code for c in shown], run.context.guideline_chars
        ),
    )
    outcome = await run.deps.llm.ask_ids(
        run.agent, messages, range(1, len(shown) + 1), multiple=True, note_id=run.note_id
    )
    if not run.record(outcome, f"chapter {task['chapter']}"):
        return run.finish()
    chosen = set(outcome.value)
    rationale = readable_rationale(outcome.reasoning or outcome.reply)[-_RATIONALE_CHARS:]
    verdicts = [
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
    return run.finish(verdicts=verdicts)
