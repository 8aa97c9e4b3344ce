"""The line each graph step prints while a note is coded: what the step did, in words."""

from __future__ import annotations

from langgraph.types import Overwrite

from clh.progress import describe_update
from graph.schemas import Candidate, CodeAssignment, Failure, Finding, Rejected, Verdict


def finding(n: int) -> Finding:
    return Finding(id=f"f{n}", term="Hypertension", lane="mention")


def candidate(code: str) -> Candidate:
    return Candidate(
        code=code,
        description="d",
        chapter=9,
        finding_id="f1",
        index_path="p",
        index_code=code,
        via="index",
    )


def verdict(code: str, selected: bool, score: float | None = None) -> Verdict:
    return Verdict(code=code, chapter=9, finding_id="f1", selected=selected, score=score)


def test_note_lanes_says_what_it_pooled() -> None:
    update = {
        "findings": [finding(n) for n in range(23)],
        "lane_candidates": [candidate(f"I1{n % 10}") for n in range(41)],
        "rejected": [Rejected(step="note_lanes", item='"fever" (negated)', reason="negated")],
        "timings": [],
    }
    assert describe_update("note_lanes", update) == (
        "23 mentions, 41 candidates pooled, 1 set aside"
    )
    assert describe_update("note_lanes", {}) == "no lanes run (lanes switched off)"


def test_tabular_validator_names_its_chapter_and_counts() -> None:
    judged = [verdict(c, c in ("I10", "I12.9")) for c in ("I10", "I11.9", "I12.9", "I13.0")]
    assert describe_update("tabular_validator", {"verdicts": judged}) == (
        "chapter 9, 4 candidates judged, 2 selected"
    )
    scored = [verdict("I10", True, 0.9), verdict("I11.9", False, 0.1)]
    assert describe_update("tabular_validator", {"verdicts": scored}) == (
        "chapter 9, 2 candidates scored, 1 selected"
    )


def test_overwritten_lists_are_counted_like_lists() -> None:
    update = {"findings": Overwrite([finding(1), finding(2)])}
    assert describe_update("merge_findings", update) == "2 findings after merging"
    assert describe_update("join_candidates", {"candidates": Overwrite([candidate("I10")])}) == (
        "1 candidate for the tabular validator"
    )


def test_pass_navigator_and_reconciler_lines() -> None:
    assert describe_update("prepare_pass", {"pass_index": 1, "chunks": ["a", "b", "c"]}) == (
        "pass 1: 3 chunks for the extractor"
    )
    assert describe_update("prepare_pass", {"pass_index": 2, "chunks": []}) == (
        "pass 2: no extractor chunks"
    )
    navigated = {"shown": ["I10", "I11.9", "I12.9"], "candidates": [candidate("I10")]}
    assert describe_update("index_navigator", navigated) == "3 index codes shown, 1 selected"
    assert describe_update("index_navigator", {"rejected": []}) == (
        "nothing searched or found in the index"
    )
    codes = [CodeAssignment(rank=1, code="I12.9", description="d")]
    assert describe_update("code_reconciler", {"codes": codes, "checks": []}) == (
        "1 final code: I12.9; 0 checks recorded"
    )


def test_failed_and_recovered_branches_are_named() -> None:
    failures = [
        Failure(agent="evidence_extractor", scope="chunk 2", reason="no <answer> block"),
        Failure(agent="evidence_extractor", scope="chunk 3", reason="cut", recovered=True),
    ]
    line = describe_update("evidence_extractor", {"findings": [], "failures": failures})
    assert line == (
        "0 findings extracted; 1 branch failed (no <answer> block); 1 answer after a re-ask"
    )


def test_an_unknown_node_names_the_keys_it_changed() -> None:
    assert describe_update("new_node", {"b": 1, "a": 2}) == "updated a, b"


def test_items_in_their_dict_form_are_read_too() -> None:
    verdicts = [{"chapter": 4, "selected": True, "score": None}]
    assert describe_update("tabular_validator", {"verdicts": verdicts}) == (
        "chapter 4, 1 candidate judged, 1 selected"
    )
