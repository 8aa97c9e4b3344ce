"""The deterministic lanes over a note: what rules alone put in the pool, and what they don't."""

from __future__ import annotations

from icd_resources import IcdResources
from tests.fakes import FakeSearcher
from tools.candidate_pool import CandidatePool
from tools.index_walk import IndexWalker
from tools.note_lanes import pool_note
from tools.note_mentions import MentionFinder


def lanes(icd: IcdResources, note: str, setting: str = "outpatient"):
    pool = CandidatePool(icd)
    run = pool_note(
        note,
        pool,
        FakeSearcher(icd),
        MentionFinder.for_release(icd),
        IndexWalker(icd),
        lanes=("mention", "walk"),
        setting=setting,
    )
    return pool, run


def test_negated_family_and_uncertain_mentions_put_nothing_in_the_pool(
    fixture_icd: IcdResources,
) -> None:
    note = "The patient denies abdominal pain. His mother had cholera. Rule out cholera."
    pool, run = lanes(fixture_icd, note)
    assert len(pool) == 0
    reasons = {(m.text.lower(), reason.split(" ")[0]) for m, reason in run.set_aside}
    assert reasons == {
        ("abdominal", "negated"),
        ("pain", "negated"),
        ("cholera", "about"),
        ("cholera", "uncertain"),
    }


def test_a_present_mention_is_searched_and_walked(fixture_icd: IcdResources) -> None:
    pool, run = lanes(fixture_icd, "Classic cholera with dehydration since Monday.")
    assert [m.text for m in run.mentions] == ["cholera"] and not run.set_aside
    best = pool.ranked()[0]
    assert best.code == "A00.0"
    assert set(best.lanes) == {"mention", "walk"}
    assert set(best.queries) == {"cholera", "Classic cholera with dehydration since Monday"}


def test_the_set_aside_diagnostic_walks_what_the_coder_leaves_out(
    fixture_icd: IcdResources,
) -> None:
    note = "His mother had cholera."
    pool = CandidatePool(fixture_icd)
    finder, walker = MentionFinder.for_release(fixture_icd), IndexWalker(fixture_icd)
    pool_note(note, pool, FakeSearcher(fixture_icd), finder, walker, lanes=("set-aside",))
    assert {c.code[:3] for c in pool.ranked()} == {"A00"}
    assert pool.ranked(lanes=("mention", "walk")) == []  # never a candidate of the coder
