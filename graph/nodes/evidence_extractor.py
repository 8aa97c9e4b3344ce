"""evidence_extractor: read (a chunk of) the note and list its codeable findings."""

from __future__ import annotations

import json
from typing import Any

from langgraph.runtime import Runtime

from clh_llm import AnswerError
from clh_llm.answers import parse_json_answer
from graph.context import Context
from graph.names import Node
from graph.nodes.kit import AgentRun
from graph.schemas import Finding
from graph.spans import locate_span
from graph.state import ChunkTask

MAX_FINDINGS = 30
"""Findings per chunk: a long list from a small model runs past the token limit (a CodiEsp
note with 19 gold codes did, and the re-ask came back empty); the lanes carry the rest."""

FINDINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "findings": {
            "type": "array",
            "maxItems": MAX_FINDINGS,
            "items": {
                "type": "object",
                "properties": {
                    "term": {"type": "string", "maxLength": 120},
                    "modifiers": {
                        "type": "array",
                        "maxItems": 6,
                        "items": {"type": "string", "maxLength": 80},
                    },
                    "evidence": {"type": "string", "maxLength": 300},
                },
                "required": ["term", "modifiers", "evidence"],
            },
        }
    },
    "required": ["findings"],
}


def parse_findings(reply: str, *, structured: bool) -> list[dict[str, Any]]:
    """Parse the extractor's JSON list of findings.

    Raises:
        AnswerError: when the answer is not a list of {term, modifiers, evidence} objects.
    """
    data = parse_json_answer(reply, structured=structured)
    items = data.get("findings") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise AnswerError("the answer must be a JSON list of findings")
    return _checked(items)


def reask_for_findings(reason: str, *, structured: bool) -> str:
    """Word the correction of a reply that should have listed findings, in the prompt's shape."""
    shape = '{"term": ..., "modifiers": [...], "evidence": ...}'
    if structured:
        return (
            f'Your reply could not be used: {reason}. Reply with the JSON {{"findings": [{shape}]}}'
            ' only ({"findings": []} if nothing is codeable).'
        )
    return (
        f"Your reply could not be used: {reason}. Reply again and end with the findings as a "
        f"JSON list [{shape}] inside <answer>...</answer> (<answer>[]</answer> if nothing is "
        "codeable)."
    )


def complete_findings(reply: str) -> list[dict[str, Any]]:
    """Return the complete findings before the cut of a reply cut at the token limit.

    The JSON is invalid as a whole, but every finding written before the cut is whole: those
    are kept rather than the chunk lost (the cut is recorded by the caller).
    """
    start = reply.find("[", max(0, reply.find('"findings"')))
    if start < 0:
        return []
    decoder = json.JSONDecoder()
    items: list[Any] = []
    position = start + 1
    while True:
        while position < len(reply) and reply[position] in " \t\r\n,":
            position += 1
        try:
            item, position = decoder.raw_decode(reply, position)
        except json.JSONDecodeError:
            break
        items.append(item)
    try:
        return _checked(items)
    except AnswerError:
        return []


def _checked(items: list[Any]) -> list[dict[str, Any]]:
    findings = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("term"), str):
            raise AnswerError('each finding must be an object with a "term" string')
        modifiers = item.get("modifiers") or []
        if isinstance(modifiers, str):
            modifiers = [modifiers]
        evidence = item.get("evidence") or ""
        if isinstance(evidence, list):
            evidence = " ".join(str(e) for e in evidence)
        findings.append(
            {
                "term": item["term"].strip(),
                "evidence": str(evidence),
                "modifiers": [str(m).strip() for m in modifiers if str(m).strip()],
            }
        )
    return findings


async def evidence_extractor(task: ChunkTask, runtime: Runtime[Context]) -> dict[str, Any]:
    """List the codeable findings of one chunk, each with verified evidence offsets."""
    run = await AgentRun.start(Node.EVIDENCE_EXTRACTOR, runtime, task)
    structured = run.structured
    messages = run.render(
        note=task["note"][task["start"] : task["end"]],
        chunk_index=task["chunk_index"],
        chunk_count=task["chunk_count"],
        scratchpad=task["scratchpad"],
    )
    outcome = await run.deps.llm.ask(
        run.agent,
        messages,
        lambda reply: parse_findings(reply, structured=structured),
        schema=FINDINGS_SCHEMA if structured else None,
        note_id=run.note_id,
        salvage=complete_findings if structured else None,
        reask=lambda reason: reask_for_findings(reason, structured=structured),
    )
    if not run.record(outcome, f"chunk {task['chunk_index'] + 1} of {task['chunk_count']}"):
        return run.finish()
    findings: list[Finding] = []
    for number, item in enumerate(outcome.value, start=1):
        span = locate_span(task["note"], item["evidence"], task["start"], task["end"])
        if span is None:
            run.reject(
                item["term"],
                f"evidence not found verbatim in the note: {item['evidence'][:200]!r}",
            )
            continue
        findings.append(
            Finding(
                id=f"p{task['pass_index']}.c{task['chunk_index'] + 1}.f{number}",
                term=item["term"],
                modifiers=item["modifiers"],
                spans=[span],
            )
        )
    return run.finish(findings=findings)
