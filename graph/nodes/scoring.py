"""Scored verification: one yes/no question per candidate, its score P(yes) from the logprobs.

Small models fail as generators and do well as verifiers: asked "does this note document
<code> for this patient?", their P(yes) separates right codes from plausible wrong ones. The
note comes first in the prompt and the candidate last, so the server's prefix cache serves the
note to every question and each candidate costs only its own tokens.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graph.nodes.kit import AgentRun
from graph.schemas import Candidate, Failure, Verdict
from graph.state import ChapterTask
from llm import AnswerFailure
from llm.answers import NO_LOGPROBS
from prompts import render_prompt

SCORED_PROMPT = "scored1"


async def score_candidates(
    run: AgentRun, task: ChapterTask, shown: list[Candidate], lines: list[dict[str, str]]
) -> list[Verdict] | None:
    """Score each candidate; select those with P(yes) at or above the run's threshold.

    Returns:
        The verdicts, or None when the server returns no logprobs: that is recorded as a
        failure recovered by the caller's fallback (thinking decoding).
    """

    async def ask(line: dict[str, str]) -> Any:
        messages = render_prompt(
            run.agent, SCORED_PROMPT, note=task["note"], setting=run.context.setting, **line
        )
        return await run.deps.llm.score_yes(run.agent, messages, note_id=run.note_id)

    outcomes = await asyncio.gather(*(ask(line) for line in lines))
    if any(isinstance(o, AnswerFailure) and o.reason == NO_LOGPROBS for o in outcomes):
        run.calls += [c.to_dict() for o in outcomes for c in o.calls]
        run.failures.append(
            Failure(
                agent=run.agent,
                scope=f"chapter {task['chapter']}",
                reason=NO_LOGPROBS,
                recovered=True,
            )
        )
        return None
    threshold = run.context.verify_threshold
    verdicts = []
    for candidate, line, outcome in zip(shown, lines, outcomes, strict=True):
        if not run.record(outcome, f"{candidate.code} (scored)"):
            continue
        verdicts.append(
            Verdict(
                code=candidate.code,
                chapter=task["chapter"],
                finding_id=candidate.finding_id,
                selected=outcome.value >= threshold,
                rationale=f"P(yes) = {outcome.value:.2f} (selected at {threshold:.2f} or more)",
                notes_checked=[line["details"]] if line["details"] else [],
                score=round(outcome.value, 4),
            )
        )
    return verdicts
