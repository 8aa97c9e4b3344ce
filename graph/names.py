"""The graph's node names, one constant each (the agents' names are also their prompt names)."""

from __future__ import annotations

from enum import StrEnum


class Node(StrEnum):
    """Every node of the coding graph."""

    PREPARE_PASS = "prepare_pass"
    EVIDENCE_EXTRACTOR = "evidence_extractor"
    NOTE_LANES = "note_lanes"
    MERGE_FINDINGS = "merge_findings"
    INDEX_NAVIGATOR = "index_navigator"
    JOIN_CANDIDATES = "join_candidates"
    TABULAR_VALIDATOR = "tabular_validator"
    CODE_RECONCILER = "code_reconciler"
    FINALIZE = "finalize"
