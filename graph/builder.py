# The Send targets take their payload TypedDict (input_schema), not the state; langgraph's
# add_node overloads cannot express that pairing for async nodes with a runtime.
# mypy: disable-error-code="arg-type,call-overload"
"""Every node, edge and policy of the coding graph, on one screen."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.types import RetryPolicy

from graph.context import Context
from graph.names import Node
from graph.nodes.code_reconciler import code_reconciler
from graph.nodes.evidence_extractor import evidence_extractor
from graph.nodes.finalize import finalize
from graph.nodes.index_navigator import index_navigator
from graph.nodes.note_lanes import note_lanes
from graph.nodes.passes import join_candidates, merge_findings, prepare_pass
from graph.nodes.tabular_validator import tabular_validator
from graph.routing import (
    fan_out_chapters,
    fan_out_chunks,
    fan_out_findings,
    route_after_code_reconciler,
)
from graph.state import (
    ChapterTask,
    ChunkTask,
    CodingInput,
    CodingOutput,
    CodingState,
    FindingTask,
)


def _transient(error: Exception) -> bool:
    # Model-server trouble is retried inside the model client (clh_llm.client); a node is
    # retried only for errors of the local embedded server's transport. Parser and validation
    # errors (ValueError) are never retried: they are recorded as failures instead.
    return isinstance(error, ConnectionError | TimeoutError)


def build_graph(checkpointer: Any = None, cache: Any = None) -> Any:
    """Compile the coding graph.

    Args:
        checkpointer: a LangGraph checkpointer (InMemorySaver, SqliteSaver...) to keep every
            step, resume after a failure, and read or fork any refinement pass.
        cache: an optional LangGraph node cache.
    """
    retry = RetryPolicy(max_attempts=2, retry_on=_transient)
    builder = StateGraph(
        CodingState, context_schema=Context, input_schema=CodingInput, output_schema=CodingOutput
    )
    builder.add_node(Node.PREPARE_PASS, prepare_pass)
    builder.add_node(
        Node.EVIDENCE_EXTRACTOR, evidence_extractor, retry_policy=retry, input_schema=ChunkTask
    )
    builder.add_node(Node.NOTE_LANES, note_lanes, retry_policy=retry)
    builder.add_node(Node.MERGE_FINDINGS, merge_findings)
    builder.add_node(
        Node.INDEX_NAVIGATOR, index_navigator, retry_policy=retry, input_schema=FindingTask
    )
    builder.add_node(Node.JOIN_CANDIDATES, join_candidates)
    builder.add_node(
        Node.TABULAR_VALIDATOR, tabular_validator, retry_policy=retry, input_schema=ChapterTask
    )
    builder.add_node(Node.CODE_RECONCILER, code_reconciler, retry_policy=retry)
    builder.add_node(Node.FINALIZE, finalize)

    builder.add_edge(START, Node.PREPARE_PASS)
    builder.add_conditional_edges(Node.PREPARE_PASS, fan_out_chunks, [Node.EVIDENCE_EXTRACTOR])
    builder.add_edge(Node.PREPARE_PASS, Node.NOTE_LANES)  # beside the extractors
    builder.add_edge(Node.EVIDENCE_EXTRACTOR, Node.MERGE_FINDINGS)
    builder.add_edge(Node.NOTE_LANES, Node.MERGE_FINDINGS)
    builder.add_conditional_edges(
        Node.MERGE_FINDINGS, fan_out_findings, [Node.INDEX_NAVIGATOR, Node.JOIN_CANDIDATES]
    )
    builder.add_edge(Node.INDEX_NAVIGATOR, Node.JOIN_CANDIDATES)
    builder.add_conditional_edges(
        Node.JOIN_CANDIDATES, fan_out_chapters, [Node.TABULAR_VALIDATOR, Node.CODE_RECONCILER]
    )
    builder.add_edge(Node.TABULAR_VALIDATOR, Node.CODE_RECONCILER)
    builder.add_conditional_edges(
        Node.CODE_RECONCILER, route_after_code_reconciler, [Node.PREPARE_PASS, Node.FINALIZE]
    )
    builder.add_edge(Node.FINALIZE, END)
    return builder.compile(checkpointer=checkpointer, cache=cache, name="clh")
