"""Each node called directly with a fake model: its update, and what its prompt held."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from graph.context import Context
from graph.nodes.choice import Decision
from graph.nodes.code_reconciler import code_reconciler
from graph.nodes.evidence_extractor import evidence_extractor
from graph.nodes.index_navigator import index_navigator
from graph.nodes.tabular_validator import tabular_validator
from graph.result import build_result
from graph.schemas import Candidate, Finding, Span, Verdict
from tests.fakes import agent_is
from tests.graph_support import NOTE

RUNTIME = SimpleNamespace(context=Context())


def chunk_task(**overrides):
    task = {
        "note": NOTE,
        "chunk_index": 0,
        "chunk_count": 1,
        "start": 0,
        "end": len(NOTE),
        "scratchpad": "",
        "pass_index": 1,
        "note_id": "n1",
    }
    return {**task, **overrides}


def test_extractor_locates_spans_and_drops_paraphrases(make_deps) -> None:
    reply = (
        '<answer>[{"term": "Cholera", "modifiers": ["classic"], "evidence": "CLASSIC  '
        'cholera"}, {"term": "Fever", "modifiers": [], "evidence": "high fever"}]</answer>'
    )
    _deps, fake = make_deps([(agent_is("evidence_extractor"), lambda s, u: reply)])
    update = asyncio.run(evidence_extractor(chunk_task(), RUNTIME))
    (finding,) = update["findings"]
    assert finding.term == "Cholera" and finding.modifiers == ["classic"]
    (span,) = finding.spans
    assert NOTE[span.start : span.end] == span.text == "classic cholera"
    assert update["rejected"][0].item == "Fever"
    assert "not found verbatim" in update["rejected"][0].reason
    system, user = fake.prompts[0]
    assert "Do not code conditions that are negated" in system
    assert "Hx of CVA" in system and "DNR" in system and "quit smoking" in system
    assert NOTE in user
    assert update["calls"][0]["agent"] == "evidence_extractor"


def test_extractor_failure_is_recorded_not_raised(make_deps) -> None:
    make_deps([(agent_is("evidence_extractor"), lambda s, u: "I cannot help.")], max_reasks=1)
    update = asyncio.run(evidence_extractor(chunk_task(), RUNTIME))
    (failure,) = update["failures"]
    assert failure.agent == "evidence_extractor" and "no usable answer" in failure.reason
    assert len(update["calls"]) == 2 and "findings" not in update


def test_navigator_selects_entries_and_expands_incomplete_codes(make_deps) -> None:
    from tests.fakes import pick_lines

    _deps, fake = make_deps(
        [(agent_is("index_navigator"), pick_lines("Cholera (fixture)", "Cholera, classic A00.0"))]
    )
    finding = Finding(
        id="f1",
        term="Cholera",
        modifiers=["classic"],
        spans=[Span(text="classic cholera", start=13, end=28)],
    )
    update = asyncio.run(
        index_navigator(
            {"finding": finding, "note": NOTE, "scratchpad": "", "pass_index": 1, "note_id": "n1"},
            RUNTIME,
        )
    )
    codes = [(c.code, c.via) for c in update["candidates"]]
    assert ("A00.0", "index") in codes
    assert ("A00.9", "index, expanded from A00-") in codes  # Cholera A00- expands to A00.0/.9
    _system, user = fake.prompts[0]
    assert "Finding: Cholera (classic)" in user and 'Evidence: "classic cholera"' in user
    assert "| Cholera (fixture) A00- |" in user
    assert any("not selected" in r.reason for r in update["rejected"])


def test_validator_prompt_holds_note_guidelines_and_tabular_notes(make_deps) -> None:
    from tests.fakes import pick_lines

    _deps, fake = make_deps([(agent_is("tabular_validator"), pick_lines("A00.0 "))])
    candidates = [
        Candidate(
            code=c,
            description=d,
            chapter=1,
            finding_id="f1",
            index_path="Cholera",
            via="index",
            index_code=c,
        )
        for c, d in [
            ("A00.0", "Fixture cholera due to classic strain"),
            ("A00.9", "Fixture cholera, unspecified"),
        ]
    ]
    finding = Finding(
        id="f1", term="Cholera", spans=[Span(text="classic cholera", start=13, end=28)]
    )
    update = asyncio.run(
        tabular_validator(
            {
                "note": NOTE,
                "chapter": 1,
                "candidates": candidates,
                "findings": [finding],
                "scratchpad": "",
                "pass_index": 1,
                "note_id": "n1",
            },
            RUNTIME,
        )
    )
    assert [(v.code, v.selected) for v in update["verdicts"]] == [("A00.0", True), ("A00.9", False)]
    system, user = fake.prompts[0]
    assert "Guidelines unavailable" in system  # the fixture release has no guidelines PDF
    assert NOTE in user
    assert "Excludes1: fixture typhoid (A01.-)" in user and "Code also: associated" in user


def test_reconciler_orders_checks_and_traces(make_deps) -> None:
    from tests.fakes import pick_lines

    make_deps([(agent_is("code_reconciler"), pick_lines("A01 ", "A00.0 "))])
    finding = Finding(
        id="f1", term="Cholera", spans=[Span(text="classic cholera", start=13, end=28)]
    )
    state = {
        "note": NOTE,
        "pass_index": 1,
        "note_id": "n1",
        "findings": [finding],
        "candidates": [
            Candidate(
                code="A00.0",
                description="x",
                chapter=1,
                finding_id="f1",
                index_path="Cholera, classic A00.0",
                via="index",
                index_code="A00.0",
            )
        ],
        "verdicts": [
            Verdict(code="A00.0", chapter=1, finding_id="f1", selected=True),
            Verdict(code="A01", chapter=1, finding_id="f1", selected=True),
        ],
    }
    removing = SimpleNamespace(context=Context(excludes1="remove", evidence="any"))
    update = asyncio.run(code_reconciler(state, removing))
    # A00 has "Excludes1: fixture typhoid (A01.-)": the lower-ranked A00.0 is removed.
    assert [c.code for c in update["codes"]] == ["A01"]
    (check,) = [c for c in update["checks"] if c.rule == "Excludes1 (OCG I.A.12.a)"]
    assert check.action == "removed A00.0"
    # The finalize node's result lists the removed code under considered, naming the check.
    result = build_result({**state, **update}, lambda code: "described")
    assert result["codes"][0]["code"] == "A01"
    (gone,) = [c for c in result["considered"] if c["code"] == "A00.0"]
    assert gone["why"].startswith("Excludes1 (OCG I.A.12.a)")
    assert result["ranking"][:2] == ["A01", "A00.0"]
    # Excludes1 pairs are flagged for review by default and both are kept (with evidence=any).
    update = asyncio.run(code_reconciler(state, SimpleNamespace(context=Context(evidence="any"))))
    # A01 has no evidence in the note: A00.0, which has, is listed first.
    assert [c.code for c in update["codes"]] == ["A00.0", "A01"]
    (check,) = [c for c in update["checks"] if c.rule == "Excludes1 (OCG I.A.12.a)"]
    assert check.action == "flagged"
    # By default a code with no evidence in the note is not final.
    update = asyncio.run(code_reconciler(state, RUNTIME))
    assert [c.code for c in update["codes"]] == ["A00.0"]


def _typhoid_and_cholera(note: str) -> dict:
    """A state with A01 from "typhoid" and A00.0 from "classic cholera", spans located in note."""
    rows = [("A01", "f1", "Typhoid", "typhoid"), ("A00.0", "f2", "Cholera", "classic cholera")]
    findings = [
        Finding(
            id=f, term=term, spans=[Span(text=w, start=note.index(w), end=note.index(w) + len(w))]
        )
        for _, f, term, w in rows
    ]
    candidates = [
        Candidate(
            code=code,
            description="x",
            chapter=1,
            finding_id=f,
            index_path=f"{term} {code}",
            via="index",
            index_code=code,
        )
        for code, f, term, _ in rows
    ]
    verdicts = [
        Verdict(code=code, chapter=1, finding_id=f, selected=True) for code, f, _, _ in rows
    ]
    return {"note": note, "findings": findings, "candidates": candidates, "verdicts": verdicts}


def test_reconciler_lists_first_the_diagnosis_the_note_states_first(make_deps) -> None:
    from tests.fakes import pick_lines

    make_deps([(agent_is("code_reconciler"), pick_lines("A01 ", "A00.0 "))] * 2)
    state = _typhoid_and_cholera(
        "HPI: typhoid.\nDischarge diagnosis: classic cholera\nDispo: home\n"
    )
    update = asyncio.run(code_reconciler(state, RUNTIME))
    assert [c.code for c in update["codes"]] == ["A00.0", "A01"]
    (moved,) = [c for c in update["checks"] if c.rule.startswith("The diagnosis chiefly")]
    assert moved.action == "moved A00.0 before A01"
    by_score = SimpleNamespace(context=Context(first_listed="score"))
    update = asyncio.run(code_reconciler(state, by_score))
    assert [c.code for c in update["codes"]] == ["A01", "A00.0"]


def test_reconciler_sets_aside_a_code_seen_only_in_the_exam(make_deps) -> None:
    from tests.fakes import pick_lines

    make_deps([(agent_is("code_reconciler"), pick_lines("A01 ", "A00.0 "))] * 2)
    state = _typhoid_and_cholera("Exam: typhoid spots.\nDischarge diagnosis: classic cholera\n")
    update = asyncio.run(code_reconciler(state, RUNTIME))
    assert [c.code for c in update["codes"]] == ["A00.0"]
    result = build_result({**state, **update}, lambda code: "described")
    (gone,) = [c for c in result["considered"] if c["code"] == "A01"]
    assert gone["why"].startswith("Abnormal findings are coded when the provider states them")
    kept = SimpleNamespace(context=Context(findings="keep"))
    update = asyncio.run(code_reconciler(state, kept))
    assert sorted(c.code for c in update["codes"]) == ["A00.0", "A01"]


def test_reconciler_with_nothing_to_reconcile_makes_no_call(make_deps) -> None:
    _deps, fake = make_deps([])
    update = asyncio.run(code_reconciler({"note": NOTE, "verdicts": []}, RUNTIME))
    assert update["codes"] == [] and fake.prompts == []


def test_paraphrase_is_relocated_to_its_sentence_with_true_offsets() -> None:
    from graph.spans import locate_span

    note = "Seen today.\nCode status: do not resuscitate (DNR), as documented.\nNo fever."
    span = locate_span(note, "DNR status documented")
    assert span is not None and note[span.start : span.end] == span.text
    assert span.text == "Code status: do not resuscitate (DNR), as documented."
    assert locate_span(note, "acute appendicitis with perforation") is None


def test_missing_use_additional_code_is_flagged(fixture_icd) -> None:
    from tools.code_checks import run_checks

    codes, checks = run_checks(fixture_icd, ["A01", "A01", "A99.9"])
    assert codes == ["A01"]
    assert [c.rule for c in checks] == [
        "Report a code once (OCG I.B.12)",
        "Billable codes only (OCG I.A.3, I.B.2)",
        "Use additional code (OCG I.A.13)",
    ]
    assert "(A02)" in checks[-1].detail
    _codes, with_strain = run_checks(fixture_icd, ["A01", "A02"])
    assert all(c.rule != "Use additional code (OCG I.A.13)" for c in with_strain)


def test_a_code_without_its_seventh_character_is_removed_with_the_reason(fixture_icd) -> None:
    from tools.code_checks import run_checks

    codes, checks = run_checks(fixture_icd, ["S06.0X1"])
    assert codes == []
    assert checks[0].detail == "needs its 7th character (OCG I.A.5)"


@pytest.mark.parametrize(
    ("decoding", "shape"),
    [("thinking", "<answer>[]</answer>"), ("structured", '{"findings": []}')],
)
def test_extractor_reasks_for_findings_not_for_ids(make_deps, decoding, shape) -> None:
    def reply(_system: str, user: str) -> str:
        if "could not be used" in user:
            return '<answer>[{"term": "Cholera", "modifiers": [], "evidence": "cholera"}]</answer>'
        return "The patient has cholera."

    _deps, fake = make_deps([(agent_is("evidence_extractor"), reply)], decoding=decoding)
    update = asyncio.run(evidence_extractor(chunk_task(), RUNTIME))
    assert [f.term for f in update["findings"]] == ["Cholera"]
    reask = fake.prompts[1][1].rsplit("\n", 1)[-1]
    assert reask.startswith("Your reply could not be used: ")
    assert shape in reask and '"term"' in reask
    assert "ids" not in reask.lower()


def test_a_code_without_evidence_never_leads() -> None:
    from graph.nodes.code_reconciler import evidence_leads
    from graph.schemas import CodeAssignment

    span = Span(text="pneumonia", start=0, end=9)
    codes = [
        CodeAssignment(rank=1, code="I50.9", description="x"),  # "output": no evidence
        CodeAssignment(rank=2, code="J18.9", description="y", evidence=[span]),
    ]
    ordered, (check,) = evidence_leads(codes)
    assert [(c.rank, c.code) for c in ordered] == [(1, "J18.9"), (2, "I50.9")]
    assert check.action == "moved J18.9 before I50.9"
    assert evidence_leads(ordered) == (ordered, [])
    # A bare function word is no evidence: "output" led to I50.9 in an injection test.
    worded = [codes[0].model_copy(update={"evidence": [Span(text="output", start=0, end=6)]})]
    ordered, (check,) = evidence_leads([*worded, codes[1]])
    assert ordered[0].code == "J18.9"


def test_a_combination_code_carries_its_parts_evidence(fixture_icd) -> None:
    from graph.result import assignments
    from graph.schemas import Check

    findings = [Finding(id="f1", term="Cholera", spans=[Span(text="cholera", start=21, end=28)])]
    candidates = [
        Candidate(
            code="A00.9",
            description="x",
            chapter=1,
            finding_id="f1",
            index_path="Cholera A00.9",
            via="index",
            index_code="A00.9",
        )
    ]
    check = Check(rule="Combination code", codes=["A00.9"], action="replaced A00.9 with A00.0")
    (code,) = assignments(fixture_icd, ["A00.0"], findings, candidates, [], "", {}, [check])
    assert [s.text for s in code.evidence] == ["cholera"]


def test_a_companion_and_a_lead_are_verified_beyond_the_candidate_cap() -> None:
    from graph.nodes.passes import join_candidates

    lanes = [_lane_candidate(f"A0{i}.0", lanes=["walk"]) for i in range(3)] + [
        _lane_candidate("Z51.11", lanes=["companion"]),
        _lane_candidate("A41.51", lanes=["sentence", "lead"]),
    ]
    capped = SimpleNamespace(context=Context(max_candidates=2))
    update = asyncio.run(join_candidates({"lane_candidates": lanes}, capped))
    codes = [c.code for c in update["candidates"].value]
    assert codes == ["A00.0", "A01.0", "Z51.11", "A41.51"]


def test_evidence_required_removes_the_codes_with_none() -> None:
    from graph.nodes.code_reconciler import evidence_required
    from graph.schemas import CodeAssignment

    span = Span(text="pneumonia", start=0, end=9)
    codes = [
        CodeAssignment(rank=1, code="E16.2", description="x"),
        CodeAssignment(rank=2, code="J18.9", description="y", evidence=[span]),
    ]
    assert evidence_required(codes, False) == (codes, [])
    kept, (check,) = evidence_required(codes, True)
    assert [(c.rank, c.code) for c in kept] == [(1, "J18.9")] and check.action == "removed E16.2"


def test_a_companion_lends_its_sentence_to_the_same_code_pooled_without_evidence() -> None:
    from graph.nodes.note_lanes import lend_evidence

    pooled = [
        _lane_candidate("Z79.4", "", lanes=["sentence"]),  # the sentence lane shows no span
        _lane_candidate("E11.9", "p1.m1", lanes=["mention"]),
        _lane_candidate(
            "Z87.891", "p1.m2", lanes=["mention"]
        ),  # a bare "smoking": the sentence is better
    ]
    companions = [
        _lane_candidate("Z79.4", "p1.k1", lanes=["companion"]),
        _lane_candidate("Z87.891", "p1.k2", lanes=["companion"]),
        _lane_candidate("Z51.11", "p1.k3", lanes=["companion"]),
    ]
    lent, left = lend_evidence(pooled, companions)
    assert [(c.code, c.finding_id) for c in lent] == [
        ("Z79.4", "p1.k1"),
        ("E11.9", "p1.m1"),
        ("Z87.891", "p1.k2"),
    ]
    assert lent[0].lanes == ["companion", "sentence"] and lent[1] is pooled[1]
    assert [c.code for c in left] == ["Z51.11"]


def test_a_pooled_code_keeps_the_mention_that_found_it_best() -> None:
    from graph.nodes.note_lanes import _candidate
    from tools.candidate_pool import PooledCandidate

    pooled = PooledCandidate("I10", "Essential (primary) hypertension", 9)
    pooled.queries = ["coronary artery disease", "hypertension"]  # "CAD" listed it first
    pooled.query_scores = {"coronary artery disease": 0.01, "hypertension": 0.05}
    finding_of = {"coronary artery disease": "p1.m3", "hypertension": "p1.m4"}
    assert _candidate(pooled, finding_of).finding_id == "p1.m4"  # "HTN", not "CAD"
    assert _candidate(pooled, {"sentence words": "p1.s1"}).finding_id == ""


def test_the_reconcilers_order_is_the_pools() -> None:
    from graph.nodes.code_reconciler import _tentative

    pooled = ["A", "B", "C", "D"]
    scores = {"A": 0.70, "B": 0.65, "C": 0.90, "D": 0.80}
    state = {
        "candidates": [SimpleNamespace(code=c) for c in pooled],
        "verdicts": [
            Verdict(code=c, chapter=1, finding_id="", selected=c != "B", score=scores[c])
            for c in reversed(pooled)
        ],
    }
    left: list[str] = []
    run = SimpleNamespace(context=Context(max_final_codes=2), reject=lambda c, _w: left.append(c))
    assert _tentative(run, state) == ["A", "C"]  # not by P(yes): C (0.90) is after A (0.70)
    assert left == ["D"]


def test_also_considered_lists_the_verified_then_the_rest_in_the_pools_order() -> None:
    from graph.result import considered

    pooled = ["A", "B", "C"]
    state = {
        "codes": [SimpleNamespace(code="A")],
        "checks": [],
        "candidates": [SimpleNamespace(code=c, description=c) for c in pooled],
        "verdicts": [
            Verdict(code="C", chapter=1, finding_id="", selected=False, score=0.9),
            Verdict(code="B", chapter=1, finding_id="", selected=False, score=0.5),
        ],
        "pool_ranking": ["A", "D", "B", "C", "E"],
    }
    items = considered(state, lambda code: code)
    assert [i["code"] for i in items] == ["B", "C", "D", "E"]  # B before C despite P(yes)


def test_the_funnel_records_the_pool_rankers_probability_of_each_candidate() -> None:
    from graph.result import build_result

    state = {"candidates": [_lane_candidate("A00.0", pool_score=0.42), _lane_candidate("Z79.4")]}
    funnel = build_result(state, lambda code: code)["funnel"]  # type: ignore[arg-type]
    assert funnel["pool_scores"] == {"A00.0": 0.42}  # a companion: no ranker scored it


def test_a_code_the_provider_states_as_a_diagnosis_is_exempt_from_the_pool_floor() -> None:
    from graph.nodes.scoring import _stated_as_diagnoses

    note = "HPI: 82M with hip pain after a fall.\n\nAssessment: closed fracture of the right hip."
    task = _noted(note, "hip pain", "fracture")
    shown = [
        _lane_candidate("M25.551", "m1"),
        _lane_candidate("S72.001A", "m2"),
        _lane_candidate("Z79.01"),
    ]
    assert _stated_as_diagnoses(task, shown) == {"S72.001A"}  # type: ignore[arg-type]


def test_a_rival_seen_only_in_the_vitals_goes_after_the_one_the_provider_states() -> None:
    from graph.nodes.scoring import _observed_last, _observed_rivals
    from tools.conditions import Condition

    note = "ED NOTE\n\nVitals: BP 118/74, pain 2/10.\n\nDx: Headache, tension-type ruled out.\n"
    task = _noted(note, "pain", "Headache")
    shown = [
        _lane_candidate("R52", "m1", description="Pain, unspecified"),
        _lane_candidate("R51.9", "m2", description="Headache, unspecified"),
    ]
    run = SimpleNamespace(plan=SimpleNamespace(findings="remove"))
    conditions, observed = _observed_last(run, task, [Condition(("R52", "R51.9"))], shown)  # type: ignore[arg-type]
    assert conditions == [Condition(("R51.9", "R52"))] and observed == {"R52"}
    decisions = {"R51.9": Decision(True, "chosen"), "R52": Decision(False, "a rival")}
    why = _observed_rivals(decisions, conditions, observed)["R52"].why
    assert "R51.9, which the provider states" in why and "OCG III.B" in why
    keep = SimpleNamespace(plan=SimpleNamespace(findings="keep"))
    assert _observed_last(keep, task, [Condition(("R52", "R51.9"))], shown)[1] == set()  # type: ignore[arg-type]


def _finding(id_: str, start: int, text: str) -> Finding:
    """A finding of the note's words at ``start``."""
    return Finding(id=id_, term=text, spans=[Span(text=text, start=start, end=start + len(text))])


def _noted(note: str, *terms: str) -> dict[str, Any]:
    """A task whose findings m1, m2, ... are the first places the note says ``terms``."""
    findings = [_finding(f"m{i}", note.index(t), t) for i, t in enumerate(terms, 1)]
    return {"note": note, "findings": findings}


def _lane_candidate(code: str, finding_id: str = "", **fields: Any) -> Candidate:
    """A candidate of the note's lanes; only what a test sets matters."""
    defaults: dict[str, Any] = {"description": "d", "chapter": 21, "index_path": "p"}
    return Candidate(
        code=code,
        finding_id=finding_id,
        via="lanes",
        index_code=code,
        **(defaults | fields),
    )
