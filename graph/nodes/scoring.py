"""Scored verification: one yes/no question per candidate, its score P(yes) from the logprobs.

Small models fail as generators and do well as verifiers: asked "does this note document
<code> for this patient?", their P(yes) separates right codes from plausible wrong ones. The
note comes first in the prompt and the candidate last, so the server's prefix cache serves the
note to every question and each candidate costs only its own tokens.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graph.calibration import find_calibration
from graph.nodes.kit import AgentRun
from graph.schemas import Candidate, Failure, Verdict
from graph.state import ChapterTask
from llm import AnswerFailure
from llm.answers import NO_LOGPROBS
from prompts import render_prompt

SCORED_PROMPT = "scored2"
"""The yes/no prompt's default version; ``Context.prompt_versions["scored_verifier"]`` picks
another (a calibration holds for the version it was fitted with)."""


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
            run.agent, scored_prompt(run), note=task["note"], setting=run.context.setting, **line
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
    threshold, source = decision_threshold(run)
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
                rationale=f"P(yes) = {outcome.value:.2f} (selected at {threshold:.2f} or more, "
                f"{source})",
                notes_checked=[line["details"]] if line["details"] else [],
                score=round(outcome.value, 4),
            )
        )
    return verdicts


def decision_threshold(run: AgentRun) -> tuple[float, str]:
    """Return the P(yes) a candidate needs, and where that figure comes from.

    Raises:
        CalibrationError: for a calibration fitted for another model, release or prompt.
    """
    model = run.deps.llm.endpoint.model
    calibration = find_calibration(run.context.calibration, model)
    if calibration is None:
        return run.context.verify_threshold, "the run's verify_threshold"
    calibration.check(model, run.deps.icd.release, scored_prompt(run))
    return calibration.verify_threshold, f"calibrated on {calibration.data.split('@')[0]}"


def scored_prompt(run: AgentRun) -> str:
    """Return the yes/no prompt's version for this run."""
    return run.context.prompt_versions.get("scored_verifier", SCORED_PROMPT)
