"""Ranking and fusion are deterministic: ties are ordered by entry id, never by arrival."""

import random

from tools.index_search.backends import RawHit, fuse_rrf, rank_hits


def _hits(scores: dict[int, float]) -> list[RawHit]:
    return [RawHit(i, s, {"id": i}) for i, s in scores.items()]


def test_ties_are_ordered_by_id_whatever_the_arrival_order() -> None:
    hits = _hits({7: 0.5, 3: 0.5, 9: 0.9, 1: 0.5})
    orders = set()
    for seed in range(10):
        shuffled = list(hits)
        random.Random(seed).shuffle(shuffled)
        orders.add(tuple(h.id for h in rank_hits(shuffled, 3, fetched=10)))
    assert orders == {(9, 1, 3)}


def test_ties_at_a_full_cut_are_dropped_when_enough_remain() -> None:
    # Asked for 4, got 4: whether entry 5 (also 0.2) exists beyond the cut is unknown.
    hits = _hits({1: 0.9, 2: 0.8, 3: 0.2, 4: 0.2})
    assert [h.id for h in rank_hits(hits, 2, fetched=4)] == [1, 2]
    # Fewer sure hits than asked for: the ties are kept, in id order.
    assert [h.id for h in rank_hits(hits, 3, fetched=4)] == [1, 2, 3]


def test_fused_scores_do_not_depend_on_the_order_of_ties() -> None:
    dense = _hits({1: 0.9, 2: 0.7, 3: 0.7, 4: 0.1})
    sparse = _hits({3: 5.0, 4: 5.0, 1: 1.0})
    first = fuse_rrf([dense, sparse], 4, 60)
    again = fuse_rrf([list(reversed(dense)), list(reversed(sparse))], 4, 60)
    assert [(h.id, h.score) for h in first] == [(h.id, h.score) for h in again]
    # Entry 3: rank 2 (tied with 2) in dense, rank 1 (tied with 4) in sparse.
    assert dict((h.id, h.score) for h in first)[3] == 1 / 62 + 1 / 61
    assert [h.id for h in first][0] == 3


class _Recorder:
    """Stands for an Edge shard: answers nothing and keeps every request."""

    def __init__(self) -> None:
        self.requests: list = []

    def query(self, request):
        self.requests.append(request)
        return []


def test_dense_neighbours_are_searched_with_the_settings_ef_and_their_own_sources() -> None:
    from pathlib import Path

    from tools.index_search import SearchMode, SearchSettings
    from tools.index_search.backends import EdgeBackend

    backend = EdgeBackend(Path("unused"), SearchSettings(exact_dense=False, hnsw_ef=512))
    backend._shard = _Recorder()
    backend.query([0.1, 0.2], ([1], [1.0]), SearchMode.HYBRID, 5, None, ["tabular"])
    dense, sparse = backend._shard.requests
    assert dense.params.hnsw_ef == 512 and not dense.params.exact and sparse.params is None
    assert "tabular" in repr(dense.filter) and sparse.filter is None


def test_dense_search_is_exact_by_default_and_builds_no_graph() -> None:
    from pathlib import Path

    from tools.index_search import SearchMode, SearchSettings
    from tools.index_search.backends import EdgeBackend

    settings = SearchSettings()
    backend = EdgeBackend(Path("unused"), settings)
    backend._shard = _Recorder()
    backend.query([0.1, 0.2], ([1], [1.0]), SearchMode.HYBRID, 5, None, None)
    dense, sparse = backend._shard.requests
    assert dense.params.exact and sparse.params is None
    assert settings.graph_m == 0 and SearchSettings(exact_dense=False).graph_m == settings.hnsw_m


def test_the_environment_chooses_exact_or_graph_search_and_refuses_anything_else(
    monkeypatch,
) -> None:
    import pytest

    from tools.index_search import SearchSettings
    from tools.index_search.errors import SearchError

    monkeypatch.setenv("CLH_SEARCH_DENSE", "graph")
    assert not SearchSettings.resolve().exact_dense
    assert SearchSettings.resolve(exact_dense=True).exact_dense  # explicit beats the environment
    monkeypatch.setenv("CLH_SEARCH_DENSE", "exact")
    assert SearchSettings.resolve().exact_dense
    monkeypatch.setenv("CLH_SEARCH_DENSE", "hnsw")
    with pytest.raises(SearchError, match="CLH_SEARCH_DENSE='hnsw'.*exact.*graph"):
        SearchSettings.resolve()


def test_an_unknown_search_mode_in_the_environment_is_a_clear_error(monkeypatch) -> None:
    import pytest

    from tools.index_search import SearchMode, SearchSettings
    from tools.index_search.errors import SearchError

    monkeypatch.setenv("CLH_SEARCH_MODE", "sparse")
    assert SearchSettings.resolve().mode is SearchMode.SPARSE
    monkeypatch.setenv("CLH_SEARCH_MODE", "fuzzy")
    with pytest.raises(
        SearchError, match="'fuzzy' is not one clh knows: use dense, sparse, hybrid"
    ):
        SearchSettings.resolve()
