"""The index walk and the per-note candidate pool, on the fixture release."""

from __future__ import annotations

from icd_resources import IcdResources
from tools.candidate_pool import CandidatePool, with_siblings
from tools.index_walk import IndexWalker
from tools.lanes import Lane
from tools.words import content_words


def main_term(icd: IcdResources, path: str) -> int:
    (entry,) = icd.find_index_path(path)
    return entry.id


def test_the_walk_follows_the_sub_terms_the_sentence_supports(fixture_icd: IcdResources) -> None:
    walker = IndexWalker(fixture_icd)
    found = walker.walk(main_term(fixture_icd, "Cholera"), "Classic cholera with dehydration.")
    assert found[0].entry.path == "Cholera, classic, with dehydration"
    assert found[0].depth == 2  # "severe" is not in the sentence: not followed


def test_with_no_sub_term_supported_the_main_term_itself_is_the_answer(
    fixture_icd: IcdResources,
) -> None:
    walker = IndexWalker(fixture_icd)
    (found,) = walker.walk(main_term(fixture_icd, "Pain"), "Pain in the knee since Monday.")
    assert found.entry.path == "Pain" and found.depth == 0


def test_content_words_drop_connectors_and_word_endings() -> None:
    assert content_words("Pains due to the injuries of 2 ribs") == {"pain", "injuri", "2", "rib"}
    assert content_words("diabetic, infarction") == content_words("Diabetes infarct")
    assert content_words("hypertension") != content_words("hypertrophy")


def test_pooled_candidates_carry_their_lanes_and_queries(fixture_icd: IcdResources) -> None:
    pool = CandidatePool(fixture_icd)
    walker = IndexWalker(fixture_icd)
    found = walker.walk(main_term(fixture_icd, "Ache NEC"), "Ache in the belly.")
    pool.add_entries("walk", "ache", [r.entry for r in found], "Ache in the belly.")
    pool.add_codes("mention", "abdominal pain", [("A00.9", "Pain, abdominal A00.9")], "")
    pool.add_codes(
        "sentence", "cholera today", [("A00", "Cholera A00.-")], "cholera due to classic"
    )
    ranked = {c.code: c for c in pool.ranked()}
    # The see-reference of "Ache NEC" leads to Pain, abdominal: A00.9, found by two lanes.
    assert ranked["A00.9"].lanes == {"walk": 1, "mention": 1, "sentence": 2}
    assert ranked["A00.9"].queries == ["ache", "abdominal pain", "cholera today"]
    assert "see Pain, abdominal" in ranked["A00.9"].index_path
    assert pool.ranked()[0].code == "A00.9"  # two lanes beat one
    # An incomplete code is completed to billable codes, most words in common first.
    assert ranked["A00.0"].index_code == "A00" and ranked["A00.0"].lanes == {"sentence": 1}
    assert ranked["A00.0"].description == "Fixture cholera due to classic strain"


def test_a_pool_ranks_by_the_chosen_lanes_and_caps(fixture_icd: IcdResources) -> None:
    pool = CandidatePool(fixture_icd)
    pool.add_codes("mention", "q1", [("A01", "Zembla fever A01"), ("A00.9", "x")], "")
    pool.add_codes("sentence", "q2", [("A00.0", "y")], "")
    assert [c.code for c in pool.ranked(lanes=["sentence"])] == ["A00.0"]
    assert [c.code for c in pool.ranked(cap=2)] == ["A00.0", "A01"]
    assert len(pool) == 3


def test_a_pooled_code_knows_which_query_found_it_best(fixture_icd: IcdResources) -> None:
    pool = CandidatePool(fixture_icd)
    pool.add_codes("mention", "cad", [("A01", "Zembla fever A01"), ("A00.9", "x")], "")
    pool.add_codes("mention", "htn", [("A00.9", "y")], "")
    (pooled,) = [c for c in pool.ranked() if c.code == "A00.9"]
    assert pooled.queries == ["cad", "htn"]  # the order they came
    assert pooled.best_of(["cad", "htn"]) == "htn"  # ranked first there, second for "cad"
    assert pooled.best_of(["cad"]) == "cad" and pooled.best_of(["fever"]) is None


def test_a_small_category_joins_the_pool_whole_after_the_lanes_codes(
    fixture_icd: IcdResources,
) -> None:
    pool = CandidatePool(fixture_icd)
    pool.add_codes("walk", "classic cholera", [("A00.0", "Cholera, classic A00.0")], "")
    pool.add_codes("mention", "cholera", [("A01", "Typhoid A01"), ("A00.0", "x")], "")
    lanes = pool.ranked()
    expanded = with_siblings(fixture_icd, lanes, max_codes=12)
    assert [c.code for c in expanded[: len(lanes)]] == [c.code for c in lanes]
    (sibling,) = [c for c in expanded if c.code == "A00.9"]
    assert sibling.lanes == {Lane.SIBLING: 1}  # its relative A00.0 is the pool's first
    assert sibling.lists == {Lane.SIBLING: 1}
    assert sibling.lane_scores[Lane.SIBLING] == lanes[0].score
    assert "beside A00.0" in sibling.index_path and sibling.index_code == "A00"
    # Expanding again adds nothing; a category larger than the limit is not added.
    assert [c.code for c in with_siblings(fixture_icd, expanded, 12)] == [c.code for c in expanded]
    assert with_siblings(fixture_icd, lanes, max_codes=1) == lanes
