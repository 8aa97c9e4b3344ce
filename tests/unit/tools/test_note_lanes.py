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
