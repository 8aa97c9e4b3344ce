"""The pool ranker: its features, its order, its file; and fitting one on coded notes."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from evals.doc_types import Doc
from evals.fit_pool_ranker import count_priors, fit_logistic, fit_ranker
from icd_resources import IcdResources
from tools.candidate_pool import PooledCandidate
from tools.lanes import RANKED_LANES
from tools.pool_ranker import (
    PACKAGED,
    RANKER_VERSION,
    PoolRanker,
    PoolRankerError,
    Priors,
    candidate_features,
    load_pool_ranker,
    read_pool_ranker,
)
from tools.words import content_words


def candidate(icd: IcdResources, code: str, **lanes: int) -> PooledCandidate:
    """A pooled candidate found by ``lanes`` (lane -> best rank), once each."""
    info = icd.lookup(code)
    return PooledCandidate(
        code=code,
        description=info.description,
        chapter=info.chapter,
        lane_scores={lane: 1 / (60 + rank) for lane, rank in lanes.items()},
        lanes=dict(lanes),
        lists=dict.fromkeys(lanes, 1),
        index_code=code,
    )


def ranker_weighing(names: list[str], weights: list[float], priors: Priors) -> PoolRanker:
    return PoolRanker(
        version=RANKER_VERSION,
        data="test",
        notes=0,
        lanes=list(RANKED_LANES),
        top_k=10,
        created="2026-11-28",
        features=names,
        weights=weights,
        bias=0.0,
        means=[0.0] * len(names),
        scales=[1.0] * len(names),
        priors=priors,
    )


def test_priors_fall_back_from_a_code_to_its_category_and_block(fixture_icd) -> None:
    priors = Priors(base_rate=0.1, counts={"category": {"A00": [8, 10]}, "code": {"A00.9": [0, 8]}})
    unseen = priors.log_rates(fixture_icd, "A00.0")
    assert unseen["prior_code"] == unseen["prior_category"]  # never pooled: the category's rate
    assert math.exp(unseen["prior_category"]) > 0.6  # 8 of 10, pulled a little toward 0.1
    never_coded = priors.log_rates(fixture_icd, "A00.9")
    assert never_coded["prior_code"] < math.log(0.25)  # pooled 8 times, never coded


def test_features_say_how_much_of_the_description_the_note_states(fixture_icd) -> None:
    note = content_words("Classic cholera strain isolated; due to travel.")
    pooled = candidate(fixture_icd, "A00.0", walk=1, mention=3)
    features = candidate_features(fixture_icd, pooled, note, Priors(base_rate=0.1))
    # "Fixture cholera due to classic strain": all but "fixture" (connectors do not count).
    assert features["described"] == 0.75
    assert features["walk_rank"] == 1.0 and features["mention_rank"] == pytest.approx(1 / 3)
    assert features["sentence_score"] == 0.0
    assert features["walk_lists"] == pytest.approx(math.log(2))  # log(1 + one list)
    assert features["characters"] == 4.0 and features["as_indexed"] == 1.0


def test_the_ranker_puts_what_it_weighs_first(fixture_icd) -> None:
    pooled = [candidate(fixture_icd, "A00.9", walk=1), candidate(fixture_icd, "A00.0", walk=5)]
    note = "Cholera due to the classic strain."
    by_description = ranker_weighing(["described"], [1.0], Priors(base_rate=0.1))
    assert [c.code for c in by_description.rank(fixture_icd, pooled, note)] == ["A00.0", "A00.9"]
    by_rank = ranker_weighing(["walk_rank"], [1.0], Priors(base_rate=0.1))
    assert [c.code for c in by_rank.rank(fixture_icd, pooled, note)] == ["A00.9", "A00.0"]


def test_the_ranker_gives_each_candidate_its_probability_of_being_coded(fixture_icd) -> None:
    pooled = [candidate(fixture_icd, "A00.9", walk=1), candidate(fixture_icd, "A00.0", walk=5)]
    note = "Cholera due to the classic strain."
    ranker = ranker_weighing(["described"], [1.0], Priors(base_rate=0.1))
    ranked = ranker.ranked(fixture_icd, pooled, note)
    assert [c.code for c, _p in ranked] == [c.code for c in ranker.rank(fixture_icd, pooled, note)]
    first, second = (p for _c, p in ranked)
    assert 0.0 < second < first < 1.0
    # Far out on either side, the probability saturates instead of overflowing.
    extreme = dataclasses.replace(
        ranker_weighing(["described"], [1e4], Priors(base_rate=0.1)), bias=-6e3
    )
    assert [p for _c, p in extreme.ranked(fixture_icd, pooled, note)] == [1.0, 0.0]


def test_a_ranker_with_siblings_ranks_the_rest_of_a_small_category_too(fixture_icd) -> None:
    pooled = [candidate(fixture_icd, "A00.0", walk=1)]
    note = "Cholera, unspecified."
    by_description = ranker_weighing(["described"], [1.0], Priors(base_rate=0.1))
    assert [c.code for c in by_description.rank(fixture_icd, pooled, note)] == ["A00.0"]
    with_siblings = dataclasses.replace(by_description, siblings=12)
    # "Fixture cholera, unspecified" is A00.9's: the note states more of it than of A00.0's.
    ranked = with_siblings.rank(fixture_icd, pooled, note)
    assert [c.code for c in ranked] == ["A00.9", "A00.0"]
    assert ranked[0].lanes == {"sibling": 1}


def test_a_ranker_file_round_trips_and_bad_files_are_refused(fixture_icd, tmp_path: Path) -> None:
    ranker = ranker_weighing(["described"], [1.0], Priors(0.1, {"code": {"A00.0": [1, 2]}}))
    ranker.siblings = 12
    path = tmp_path / "ranker.json"
    path.write_text(ranker.to_json())
    assert read_pool_ranker(path) == ranker
    path.write_text(dataclasses.replace(ranker, version=99).to_json())
    with pytest.raises(PoolRankerError, match="version 99"):
        read_pool_ranker(path)
    older = {k: v for k, v in json.loads(ranker.to_json()).items() if k != "siblings"}
    path.write_text(json.dumps({**older, "version": 1}))  # a file of clh before siblings
    with pytest.raises(PoolRankerError, match="version 1; this clh reads version 2: fit it"):
        read_pool_ranker(path)
    path.write_text(dataclasses.replace(ranker, weights=[1.0, 2.0]).to_json())
    with pytest.raises(PoolRankerError, match="differ in length"):
        read_pool_ranker(path)
    path.write_text('{"weights": [1]}')
    with pytest.raises(PoolRankerError, match="not a clh pool ranker"):
        read_pool_ranker(path)
    with pytest.raises(PoolRankerError, match="cannot read"):
        read_pool_ranker(tmp_path / "missing.json")
    assert load_pool_ranker("fused") is None


def test_the_packaged_ranker_weighs_every_ranked_lane() -> None:
    ranker = read_pool_ranker(PACKAGED)
    assert ranker.lanes == list(RANKED_LANES) and ranker.data.startswith("codiesp-train@")
    assert {f"{lane}_rank" for lane in RANKED_LANES} <= set(ranker.features)
    assert ranker.fit["ranked@20"] > ranker.fit["fused@20"]  # what the fit printed
    assert ranker.siblings > 0 and {"sibling_rank", "sibling_score"} <= set(ranker.features)


def test_logistic_regression_finds_the_feature_that_separates() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + 0.1 * rng.normal(size=400) > 0).astype(float)
    weights, _bias, _means, _scales = fit_logistic(x, y)
    assert weights[0] > 2.0 and abs(weights[1]) < 0.5 * weights[0]


def test_fitting_learns_which_pooled_codes_get_coded(fixture_icd) -> None:
    # The walk's first hit is coded in every note; a mention-only code never is.
    notes = [
        (
            Doc(f"n{i}", "Cholera due to the classic strain.", ("A00.0",)),
            [candidate(fixture_icd, "A00.0", walk=1), candidate(fixture_icd, "A00.9", mention=1)],
        )
        for i in range(20)
    ]
    priors = count_priors(fixture_icd, notes, prune=False)
    assert priors.counts["code"] == {"A00.0": [20, 20], "A00.9": [0, 20]}
    ranker = fit_ranker(fixture_icd, notes, data="test", k=10)
    assert ranker.fit == {"rows": 40, "coded": 20}
    pooled = [candidate(fixture_icd, "A00.9", mention=1), candidate(fixture_icd, "A00.0", walk=2)]
    assert ranker.rank(fixture_icd, pooled, "cholera")[0].code == "A00.0"


def test_the_pooled_benchmark_adds_the_ranked_row_on_the_same_pools(fixture_icd) -> None:
    from evals.pool_recall import CONFIGS, RANKED, measure
    from tests.fakes import FakeSearcher

    docs = [Doc("d1", "Classic cholera with dehydration. Pain in the belly.", ("A00.0", "H54"))]
    ranker = ranker_weighing(["described"], [1.0], Priors(base_rate=0.1))
    stats = measure(fixture_icd, FakeSearcher(fixture_icd), docs, lambda g: g[:1], ranker=ranker)
    assert list(stats.found) == [*CONFIGS, RANKED] and stats.k == ranker.top_k
    assert stats.default == RANKED and stats.pairs == 2
    # H54 is never pooled; A00.0 is, by the lanes the ranker orders, so every row holds it
    assert stats.found[RANKED][20] == stats.found["all lanes"][20] == 1
    assert stats.per_chapter["A"] == [1, 1] and stats.per_chapter["H"] == [1, 0]
    assert stats.unstated == [1, 0]  # no word of the note leads to H54 ("Fixture blindness")
