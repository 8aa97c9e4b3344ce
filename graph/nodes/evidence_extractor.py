"""evidence_extractor: read (a chunk of) the note and list its codeable findings."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context
from graph.names import Node
from graph.nodes.kit import AgentRun
from graph.schemas import Finding
from graph.spans import locate_span
from graph.state import ChunkTask
from llm import AnswerError
from llm.answers import parse_json_answer

FINDINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "term": {"type": "string"},
                    "modifiers": {"type": "array", "items": {"type": "string"}},
                    "evidence": {"type": "string"},
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
    run = await AgentRun.start(
        Node.EVIDENCE_EXTRACTOR, runtime, task["pass_index"], task["note_id"]
    )
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
