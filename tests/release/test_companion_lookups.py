"""The companion look-ups a coder makes, against the real release's indexes."""

from __future__ import annotations

from icd_resources import IcdResources, IndexSource
from tests.fakes import FakeSearcher
from tools.candidate_pool import CandidatePool
from tools.index_search.searcher import HitCode, SearchHit
from tools.index_walk import IndexWalker
from tools.note_lanes import pool_companions
from tools.note_mentions import Assertion, MentionFinder


def _companions(icd: IcdResources, note: str) -> list[str]:
    family = [
        m for m in MentionFinder.for_release(icd).find(note) if m.assertion is Assertion.FAMILY
    ]
    pool = CandidatePool(icd)
    pool_companions(note, pool, FakeSearcher(icd), IndexWalker(icd), frozenset(), family)
    return [c.code for c in pool.ranked()]


def test_an_injury_gets_its_activity_and_status(real_icd: IcdResources) -> None:
    codes = _companions(real_icd, "He fell while playing basketball and twisted his ankle.")
    assert {"Y93.67", "Y99.8"} <= set(codes)
    assert not {"Y93.9", "Y92.9", "Y99.9"} & set(codes)  # never the unstated ones


class _Hits:
    """A searcher that returns the same hits for any query, and records the queries."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        self.queries: list[str] = []

    def encode_queries(self, texts: list[str]) -> list[list[float]]:
        return [[] for _ in texts]

    def search(self, query: str, **_: object) -> list[SearchHit]:
        self.queries.append(query)
        return [
            SearchHit(i, IndexSource.TABULAR, code, code, 1.0, (HitCode(code, "code", False),))
            for i, code in enumerate(self.codes)
        ]


def test_a_family_members_condition_gets_the_history_code_the_tabular_names(
    real_icd: IcdResources,
) -> None:
    note = "Family history: his mother had breast cancer."
    family = [m for m in MentionFinder.for_release(real_icd).find(note)]
    assert family and all(m.assertion is Assertion.FAMILY for m in family)
    searcher = _Hits(["Z80.9", "Z80.0"])  # what "family history of ..." would find
    pool = CandidatePool(real_icd)
    run = pool_companions(note, pool, searcher, IndexWalker(real_icd), frozenset(), family)
    # The walk reaches "Cancer, breast" (C50.91-): Z80.3 "Conditions classifiable to C50.-".
    assert [c.code for c in pool.ranked()] == ["Z80.3"]
    assert "family history of his mother had breast cancer" not in searcher.queries
    # Its evidence is the note's words, not the clause as read.
    query = pool.ranked()[0].queries[0]
    assert [note[a:b] for a, b in run.spans_of[query]] == ["breast", "cancer"]


def test_a_condition_no_tabular_note_covers_is_searched_as_family_history(
    real_icd: IcdResources,
) -> None:
    note = "Family history: consanguinity."
    family = [m for m in MentionFinder.for_release(real_icd).find(note)]
    assert family and all(m.assertion is Assertion.FAMILY for m in family)
    searcher = _Hits(["Z84.3", "Z80.9", "Z80.0"])  # Z codes: no "classifiable to" covers them
    pool = CandidatePool(real_icd)
    pool_companions(note, pool, searcher, IndexWalker(real_icd), frozenset(), family)
    # One search per clause; only family history codes, the best two.
    assert searcher.queries[-1].startswith("family history of ")
    assert [c.code for c in pool.ranked()] == ["Z84.3", "Z80.9"]


def test_the_noncompliance_codes_are_billable_and_the_guideline_asks_for_them(
    real_icd: IcdResources,
) -> None:
    text = " ".join(real_icd.guideline("I.C.19.e.5.c").text.split())
    assert "Noncompliance (Z91.12-, Z91.13-" in text
    for code in ("Z91.120", "Z91.128", "Z91.138"):
        assert real_icd.is_billable(code)


def test_a_past_malignancy_gets_the_personal_history_code_the_tabular_names(
    real_icd: IcdResources,
) -> None:
    finder, walker = MentionFinder.for_release(real_icd), IndexWalker(real_icd)

    def history_codes(note: str) -> list[str]:
        pool = CandidatePool(real_icd)
        past = [m for m in finder.find(note) if m.assertion is Assertion.HISTORICAL]
        pool_companions(note, pool, _Hits(["C61"]), walker, frozenset(), past=past)
        return [c.code for c in pool.ranked() if c.code.startswith("Z85")]

    # Z85.4 "Conditions classifiable to C51-C63"; of its codes, the prostate's.
    assert history_codes("Hx prostate cancer, treated with radiation 2015, no current tx.") == [
        "Z85.46"
    ]
    assert history_codes("Prostate cancer on androgen deprivation.") == []  # a current one


def test_a_drug_the_table_names_gets_its_cell_not_a_searchs_neighbours(
    real_icd: IcdResources,
) -> None:
    searcher = _Hits(["T37.5X5", "T43.8X5"])  # what a search of "NSAID adverse effect" ranked
    for note, code in [
        ("Lisinopril-induced angioedema.", "T46.4X5A"),
        ("NSAID-induced ulcer - ibuprofen stopped permanently.", "T39.315A"),  # NSAID: no term
        ("Dx: Accidental clonidine poisoning with bradycardia.", "T46.5X1A"),
    ]:
        pool = CandidatePool(real_icd)
        pool_companions(note, pool, searcher, IndexWalker(real_icd), frozenset())
        assert [c.code for c in pool.ranked()] == [code], note
    assert not searcher.queries  # no search where the table names the drug
    pool = CandidatePool(real_icd)
    pool_companions("Chemo-induced neuropathy.", pool, searcher, IndexWalker(real_icd), frozenset())
    assert searcher.queries == ["Chemo adverse effect"]  # the table names no drug: searched


class _FamilyHistoryHits(_Hits):
    """A searcher that finds family history codes for "family history of ..." alone."""

    def search(self, query: str, **_: object) -> list[SearchHit]:
        hits = super().search(query)
        return hits if query.startswith("family history of ") else []


def test_a_family_clause_that_names_no_disease_is_no_family_history(
    real_icd: IcdResources,
) -> None:
    # OCG I.C.21.c.4: the family member "has had a particular disease".
    finder, walker = MentionFinder.for_release(real_icd), IndexWalker(real_icd)
    for note, expected in [
        ("Her mother and father are healthy.", []),
        ("Her father has glaucoma.", ["Z83.511"]),
    ]:
        family = finder.find(note)
        assert family and all(m.assertion is Assertion.FAMILY for m in family)
        searcher = _FamilyHistoryHits(["Z83.438", "Z84.89"])  # any family history search's
        pool = CandidatePool(real_icd)
        pool_companions(note, pool, searcher, walker, frozenset(), family)
        assert [c.code for c in pool.ranked()] == expected
