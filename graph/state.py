"""Typed state of the coding graph, its input and output, and the Send payloads."""

from __future__ import annotations

import operator
from typing import Annotated, Any, NotRequired, TypedDict

from graph.plan import RunPlan
from graph.schemas import (
    Candidate,
    Check,
    CodeAssignment,
    Failure,
    Finding,
    Rejected,
    Verdict,
)


class CodingInput(TypedDict):
    """What a caller gives: the note, and optionally an id and metadata."""

    note: str
    note_id: NotRequired[str]
    metadata: NotRequired[dict[str, Any]]


class CodingOutput(TypedDict):
    """What a caller gets back: the coding result (see ``graph.result``)."""

    result: dict[str, Any]


class CodingState(TypedDict):
    """The whole state; list fields written by parallel branches carry a reducer."""

    note: str
    """The note as given (never modified; spans index into it)."""
    note_id: NotRequired[str]
    metadata: NotRequired[dict[str, Any]]
    plan: NotRequired[RunPlan]
    """What this run does, decided once by the first pass (graph.plan.build_plan)."""
    started_at: NotRequired[float]
    """When the first pass started (epoch seconds), for the result's wall time."""
    pass_index: NotRequired[int]
    """The refinement pass in progress, from 1."""
    chunks: NotRequired[list[tuple[int, int]]]
    """(start, end) windows of the note that the extractor reads in parallel."""
    scratchpad: NotRequired[str]
    """The previous pass's codes and rationales, shown to the agents in a refinement pass."""
    findings: Annotated[list[Finding], operator.add]
    shown: Annotated[list[str], operator.add]
    """Codes of the index entries shown to the navigators (as printed; for the funnel)."""
    candidates: Annotated[list[Candidate], operator.add]
    lane_candidates: Annotated[list[Candidate], operator.add]
    """The deterministic lanes' pooled candidates, joined with the navigators' ones."""
    pool_ranking: NotRequired[list[str]]
    """The lanes' pool in the ranker's order, beyond what is verified (the 'also considered'
    below the final codes, for review and MAP)."""
    verdicts: Annotated[list[Verdict], operator.add]
    codes: NotRequired[list[CodeAssignment]]
    """The reconciler's ordered codes of the latest pass."""
    checks: NotRequired[list[Check]]
    rejected: Annotated[list[Rejected], operator.add]
    """What was considered and dropped at each step, with the reason."""
    failures: Annotated[list[Failure], operator.add]
    calls: Annotated[list[dict[str, Any]], operator.add]
    """Accounting: one record per model call (clh_llm.ledger.CallRecord.to_dict())."""
    timings: Annotated[list[dict[str, Any]], operator.add]
    """Wall time per node run: {agent, seconds, pass}."""
    passes: Annotated[list[dict[str, Any]], operator.add]
    """One summary per finished pass: {pass, codes}."""
    result: NotRequired[dict[str, Any]]


class ChunkTask(TypedDict):
    """Send payload of evidence_extractor: one chunk of the note."""

    note: str
    chunk_index: int
    chunk_count: int
    start: int
    end: int
    scratchpad: str
    pass_index: int
    note_id: str
    plan: RunPlan | None


class FindingTask(TypedDict):
    """Send payload of index_navigator: one finding."""

    finding: Finding
    note: str
    scratchpad: str
    pass_index: int
    note_id: str
    plan: RunPlan | None


class ChapterTask(TypedDict):
    """Send payload of tabular_validator: the note and one chapter's candidates."""

    note: str
    chapter: int
    candidates: list[Candidate]
    findings: list[Finding]
    scratchpad: str
    pass_index: int
    note_id: str
    plan: RunPlan | None
