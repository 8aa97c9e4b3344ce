"""The line each graph step prints while a note is coded: what the step did, in words."""

from __future__ import annotations

from langgraph.types import Overwrite

from clh.progress import INDEX_UNITS, PhaseReporter, TenthsReporter, describe_update, rate_line
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


def test_finalize_counts_the_result() -> None:
    result = {"codes": [{"code": "I10"}, {"code": "E11.9"}], "considered": [{"code": "I11.9"}]}
    assert describe_update("finalize", {"result": result}) == (
        "result of 2 codes, 1 more considered"
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


def test_a_rate_line_says_the_rate_and_the_time_left() -> None:
    assert rate_line("embedding", "distinct texts", 12_800, 64_000, 150.0) == (
        "embedding: 12,800/64,000 distinct texts (20%), 85 texts/s, about 10 min 00 s left"
    )
    assert rate_line("embedding", "distinct texts", 64_000, 64_000, 4000.0) == (
        "embedding: 64,000/64,000 distinct texts (100%) in 1 h 06 min, 16 texts/s"
    )
    assert rate_line("embedding", "distinct texts", 3, 10, 2.0) == (
        "embedding: 3/10 distinct texts (30%), 1.5 texts/s, about 5 s left"
    )
    assert rate_line("embedding", "distinct texts", 0, 10, 0.0) == (
        "embedding: 0/10 distinct texts (0%)"
    )


def test_the_reporter_says_a_line_at_each_tenth() -> None:
    said: list[str] = []
    now = iter(float(t) for t in range(100))
    report = TenthsReporter("embedding", "texts", said.append, clock=lambda: next(now))
    report(0, 100)
    for done in range(7, 101, 7):  # chunks that do not fall on the tenths
        report(done, 100)
    report(100, 100)
    assert said[0] == "embedding: 100 texts to do"
    percents = [int(line.split("(")[1].split("%")[0]) for line in said[1:]]
    assert percents == [14, 21, 35, 42, 56, 63, 70, 84, 91, 100]
    assert "about" in said[1] and "left" in said[1] and " in " in said[-1]


def test_one_chunk_of_everything_is_one_line() -> None:
    said: list[str] = []
    report = TenthsReporter("embedding", "texts", said.append)
    report(0, 5)
    report(5, 5)
    assert len(said) == 2 and said[1].startswith("embedding: 5/5 texts (100%)")


def test_each_phase_of_the_index_build_says_its_own_tenths() -> None:
    said: list[str] = []
    report = PhaseReporter(INDEX_UNITS, said.append, clock=lambda: 1.0)
    for phase, total in (("embedding", 20), ("storing", 40)):
        for done in range(0, total + 1, total // 20):
            report(phase, done, total)
    report("building the search graph", 0, 0)
    embedding = [line for line in said if line.startswith("embedding: ")]
    storing = [line for line in said if line.startswith("storing: ")]
    assert embedding[0] == "embedding: 20 distinct texts to do" and len(embedding) == 11
    assert storing[0] == "storing: 40 entries to do" and len(storing) == 11
    assert storing[1].startswith("storing: 4/40 entries (10%)")
    assert said[-1] == "building the search graph..."
