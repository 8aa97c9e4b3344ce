"""Pure routing functions: the fan-outs and the refinement loop."""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Send

from graph.context import Context, get_context
from graph.names import Node
from graph.schemas import Candidate
from graph.state import ChapterTask, ChunkTask, CodingState, FindingTask
from tools.lanes import Lane


def fan_out_chunks(state: CodingState) -> list[Send]:
    """Send each chunk of the note to its own evidence_extractor branch (none: no extractor)."""
    chunks = state.get("chunks")
    if chunks is None:
        chunks = [(0, len(state["note"]))]
    return [
        Send(
            Node.EVIDENCE_EXTRACTOR,
            ChunkTask(
                note=state["note"],
                chunk_index=i,
                chunk_count=len(chunks),
                start=start,
                end=end,
                scratchpad=state.get("scratchpad", ""),
                pass_index=state.get("pass_index", 1),
                note_id=state.get("note_id", "note"),
                plan=state.get("plan"),
            ),
        )
        for i, (start, end) in enumerate(chunks)
    ]


def fan_out_findings(state: CodingState) -> list[Send] | Literal[Node.JOIN_CANDIDATES]:
    """Send each extractor finding to its own index_navigator branch.

    The lanes' findings are looked up already; with no extractor finding, the lanes'
    candidates go straight to joining.
    """
    findings = [f for f in state.get("findings", []) if f.lane == Lane.EXTRACTOR]
    if not findings:
        return Node.JOIN_CANDIDATES
    return [
        Send(
            Node.INDEX_NAVIGATOR,
            FindingTask(
                finding=f,
                note=state["note"],
                scratchpad=state.get("scratchpad", ""),
                pass_index=state.get("pass_index", 1),
                note_id=state.get("note_id", "note"),
                plan=state.get("plan"),
            ),
        )
        for f in findings
    ]


def fan_out_chapters(state: CodingState) -> list[Send] | Literal[Node.CODE_RECONCILER]:
    """Send each chapter's candidates to its own tabular_validator branch."""
    by_chapter: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in state.get("candidates", []):
        by_chapter[candidate.chapter].append(candidate)
    if not by_chapter:
        return Node.CODE_RECONCILER
    return [
        Send(
            Node.TABULAR_VALIDATOR,
            ChapterTask(
                note=state["note"],
                chapter=chapter,
                candidates=candidates,
                findings=state.get("findings", []),
                scratchpad=state.get("scratchpad", ""),
                pass_index=state.get("pass_index", 1),
                note_id=state.get("note_id", "note"),
                plan=state.get("plan"),
            ),
        )
        for chapter, candidates in sorted(by_chapter.items())
    ]


def route_after_code_reconciler(
    state: CodingState, runtime: Runtime[Context]
) -> Literal[Node.PREPARE_PASS, Node.FINALIZE]:
    """Run another pass until max_passes, stopping early when a pass changed nothing."""
    passes = state.get("passes", [])
    if state.get("pass_index", 1) >= get_context(runtime).max_passes:
        return Node.FINALIZE
    if len(passes) >= 2 and passes[-1]["codes"] == passes[-2]["codes"]:
        return Node.FINALIZE
    return Node.PREPARE_PASS
