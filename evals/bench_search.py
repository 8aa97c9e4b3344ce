"""Benchmark index search: build size, query latency and retrieval recall@k.

Run: ``python -m evals.bench_search [--sample 500] [--codiesp ../shared/data/codiesp]``. It
builds the collection if needed (same cache as ``clh``), then prints markdown tables:

- latency p50/p95 per mode, query embedding included;
- recall@{5,10,25,50,100} on (a) descriptions and inclusion terms of a seeded sample of billable
  codes, each a query for its own code, and (b) CodiEsp: every sentence of a document is a query
  and a gold code counts as reached when some sentence's top-k hits reach it;
- how a code was reached: directly, through a cross-reference, or as an ancestor that the tabular
  validator would descend from (cumulative columns);
- dense vs sparse vs hybrid, all sources vs the disease index alone, and per chapter;
- (c) note-level candidate recall of the pooled lanes (mention, index walk, sentence) at caps
  of 20/40/60/100 candidates per note, per chapter, with pool sizes and seconds per note, on
  each split separately (``--sections pooled`` runs this part alone).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from evals.codiesp import load_codiesp
from evals.doc_types import Doc
from evals.pool_recall import measure, print_stats
from evals.reach import Reach, reach
from icd_resources import CodeInfo, IcdResources, IndexSource, NoteKind, ResourceSettings
from tools.index_search import IndexSearcher, SearchHit, SearchMode, SearchSettings, build_index
from tools.pool_ranker import load_pool_ranker

KS = (5, 10, 25, 50, 100)
KINDS = ("direct", "+xref", "+ancestor")


def hit_reach(hit: SearchHit, gold: str) -> int:
    """Return 0 direct, 1 via cross-reference, 2 ancestor, 3 none, for one hit."""
    own = min((reach(c.code, gold) for c in hit.codes), default=Reach.NONE)
    xref = min((reach(c.code, gold) for x in hit.xrefs for c in x.codes), default=Reach.NONE)
    if own is Reach.DIRECT:
        return 0
    if xref is Reach.DIRECT:
        return 1
    if Reach.ANCESTOR in (own, xref):
        return 2
    return 3


def best_ranks(hit_lists: Iterable[list[SearchHit]], gold: str) -> list[int]:
    """For each reach level (direct, +xref, +ancestor), the best rank (1-based) reaching gold."""
    best = [10**9, 10**9, 10**9]
    for hits in hit_lists:
        ranked = [h for h in hits if h.via == "search"]
        for rank, hit in enumerate(ranked, start=1):
            level = hit_reach(hit, gold)
            for kind in range(level, 3):
                best[kind] = min(best[kind], rank)
    return best


def recall_table(ranks: list[list[int]]) -> dict[str, dict[int, float]]:
    """Turn per-query best ranks into recall@k per reach kind."""
    n = max(len(ranks), 1)
    return {
        kind: {k: sum(r[i] <= k for r in ranks) / n for k in KS} for i, kind in enumerate(KINDS)
    }


def print_recall(title: str, rows: dict[str, tuple[int, dict[str, dict[int, float]]]]) -> None:
    """Print one markdown table: a row per configuration and reach kind."""
    print(f"\n### {title}\n")
    print("| configuration | queries | reached | " + " | ".join(f"@{k}" for k in KS) + " |")
    print("|---|---:|---|" + "---:|" * len(KS))
    for name, (count, table) in rows.items():
        for kind in KINDS:
            cells = " | ".join(f"{table[kind][k]:.3f}" for k in KS)
            print(f"| {name} | {count} | {kind} | {cells} |")


Config = tuple[str, SearchMode, list[IndexSource] | None]
"""A search configuration: its name, mode and sources (None: all)."""


def main() -> None:
    """Run the benchmark and print its tables."""
    args = _arguments()
    sections = set(args.sections.split(","))
    resources = ResourceSettings.resolve(args.icd_dir, args.cache_dir)
    icd = IcdResources.load(resources)
    searcher = _open_searcher(icd, resources, args)
    if "pooled" in sections:
        _pooled(args, icd, searcher)
    if not sections & {"latency", "tabular", "sentences"}:
        return
    sample, tab_queries = _tabular_queries(icd, args.sample, args.seed)
    _latency(searcher, tab_queries[: args.latency_queries])
    configs: list[Config] = [(m.value, m, None) for m in SearchMode] + [
        ("hybrid, disease index only", SearchMode.HYBRID, [IndexSource.INDEX])
    ]
    _tabular_recall(searcher, tab_queries, configs, len(sample), args.seed)
    docs = [
        doc for split in args.splits.split(",") for doc in load_codiesp(args.codiesp, split).docs
    ]
    chapter_ranks = _sentence_recall(icd, searcher, docs, configs, args.splits)
    _chapter_recall(chapter_ranks)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icd-dir", action="append", type=Path)
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--codiesp", type=Path, default=Path("../shared/data/codiesp"))
    parser.add_argument("--splits", default="train,dev")
    parser.add_argument("--latency-queries", type=int, default=200)
    parser.add_argument(
        "--sections",
        default="latency,tabular,sentences,pooled",
        help="which parts to run (comma-separated)",
    )
    parser.add_argument("--limit", type=int, help="pooled recall: first N notes of each split")
    parser.add_argument(
        "--pool-ranker",
        default="packaged",
        help="pooled recall: a ranker file for the ranked row (default: the packaged one; "
        "'fused': no ranked row)",
    )
    parser.add_argument(
        "--dense-sources",
        help="search densely only these sources (comma-separated; 'none': BM25 alone), on the "
        "index as built: what an index embedding only them would find, but for the "
        "approximate graph",
    )
    parser.add_argument(
        "--graph",
        action="store_true",
        help="build and search an HNSW graph instead of exact dense search",
    )
    parser.add_argument(
        "--hnsw-ef",
        type=int,
        help="with --graph: candidates a dense search explores in it (default: the settings')",
    )
    return parser.parse_args()


def _open_searcher(
    icd: IcdResources, resources: ResourceSettings, args: argparse.Namespace
) -> IndexSearcher:
    """Build (once) and open the index, printing what it holds."""
    settings = SearchSettings.resolve(hnsw_ef=args.hnsw_ef, exact_dense=not args.graph)
    manifest, _ = build_index(icd, settings, resources.cache_dir)
    size = (
        sum(p.stat().st_size for p in Path(manifest.location).rglob("*") if p.is_file())
        if manifest.backend == "edge"
        else 0
    )
    searcher = IndexSearcher.open(icd, settings, resources.cache_dir)
    if args.dense_sources is not None:
        searcher.settings = narrowed(settings, args.dense_sources)
    print(
        f"## Index search benchmark (release {icd.release}, model {settings.model}, "
        f"{manifest.backend} backend)\n"
    )
    print(
        "dense vectors searched in: "
        + (", ".join(searcher.settings.dense_sources) or "no source (BM25 alone)")
        + (
            f"; HNSW m={settings.hnsw_m}, ef_construct={settings.hnsw_ef_construct}, "
            f"search ef={settings.hnsw_ef or 'Qdrant default'}"
            if not settings.exact_dense
            else "; exact dense search (no graph)"
        )
    )
    print(
        f"collection: {manifest.points} entries, built in {manifest.seconds:.0f} s, "
        f"{size / 1e6:.0f} MB on disk"
    )
    return searcher


def _pooled(args: argparse.Namespace, icd: IcdResources, searcher: IndexSearcher) -> None:
    """Print (c): the pooled candidates' recall per split."""
    for split in args.splits.split(","):
        docs = load_codiesp(args.codiesp, split).docs[: args.limit]
        ranker = load_pool_ranker(args.pool_ranker)
        stats = measure(icd, searcher, docs, lambda gold: chapter_label(icd, gold), ranker=ranker)
        print_stats(f"(c) Pooled candidates per note, CodiEsp {split}", stats)
        if ranker is not None and ranker.data.startswith(f"codiesp-{split}@"):
            print(
                f"\nThe ranked row is in-sample: the ranker was fitted on these notes "
                f"({ranker.data}); its priors hold their gold. `python -m "
                "evals.fit_pool_ranker` prints the figure with each half of the notes "
                "ranked by the other half's priors."
            )


def _tabular_queries(
    icd: IcdResources, size: int, seed: int
) -> tuple[list[CodeInfo], list[tuple[str, str]]]:
    """Return a seeded sample of billable codes, and their descriptions and inclusion terms."""
    rng = random.Random(seed)
    billable = [c for c in icd.codes(billable_only=True)]
    sample = rng.sample(billable, min(size, len(billable)))
    tab_queries: list[tuple[str, str]] = []
    for info in sample:
        tab_queries.append((info.description, info.code))
        for note in icd.notes_for(info.code, kinds={NoteKind.INCLUSION_TERM}):
            if note.origin == info.code:
                tab_queries.append((note.text, info.code))
    return sample, tab_queries


def _latency(searcher: IndexSearcher, queries: list[tuple[str, str]]) -> None:
    print("\n### Latency per query, embedding included (single queries)\n")
    print("| mode | p50 ms | p95 ms |\n|---|---:|---:|")
    for mode in SearchMode:
        times = []
        for text, _gold in queries:
            started = time.perf_counter()
            searcher.search(text, k=10, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"| {mode} | {statistics.median(times):.1f} | {times[int(0.95 * len(times))]:.1f} |")


def _tabular_recall(
    searcher: IndexSearcher,
    tab_queries: list[tuple[str, str]],
    configs: list[Config],
    sampled: int,
    seed: int,
) -> None:
    """Print (a): recall of the sampled codes from their own descriptions and terms."""
    vectors = searcher.dense.encode_queries([q for q, _ in tab_queries])
    rows = {}
    for name, mode, sources in configs:
        ranks = [
            best_ranks(
                [searcher.search(t, k=max(KS), mode=mode, sources=sources, dense_vector=v)], gold
            )
            for (t, gold), v in zip(tab_queries, vectors, strict=True)
        ]
        rows[name] = (len(ranks), recall_table(ranks))
    print_recall(
        f"(a) Tabular descriptions and inclusion terms of {sampled} billable codes "
        f"(random.Random({seed}).sample), {len(tab_queries)} queries",
        rows,
    )


def _sentence_recall(
    icd: IcdResources, searcher: IndexSearcher, docs: list[Doc], configs: list[Config], splits: str
) -> dict[str, list[list[int]]]:
    """Print (b): recall of CodiEsp's gold codes from the notes' sentences; return hybrid's."""
    sentences = sorted({s for d in docs for s in d.sentences})
    encoded = dict(zip(sentences, searcher.dense.encode_queries(sentences), strict=True))
    rows = {}
    chapter_ranks: dict[str, list[list[int]]] = defaultdict(list)
    for name, mode, sources in configs:
        cache: dict[str, list[SearchHit]] = {}
        ranks = []
        for doc in docs:
            for sentence in doc.sentences:
                if sentence not in cache:
                    cache[sentence] = searcher.search(
                        sentence,
                        k=max(KS),
                        mode=mode,
                        sources=sources,
                        dense_vector=encoded[sentence],
                    )
            lists = [cache[s] for s in doc.sentences]
            for gold in doc.gold:
                best = best_ranks(lists, gold)
                ranks.append(best)
                if name == "hybrid":
                    chapter_ranks[chapter_label(icd, gold)].append(best)
        rows[name] = (len(ranks), recall_table(ranks))
    print_recall(
        f"(b) CodiEsp {splits}: {len(docs)} documents, {len(sentences)} distinct "
        "sentences as queries, gold (document, code) pairs as targets",
        rows,
    )
    return chapter_ranks


def _chapter_recall(chapter_ranks: dict[str, list[list[int]]]) -> None:
    print("\n### CodiEsp recall@25 per ICD-10-CM chapter (hybrid, all sources)\n")
    print("| chapter | gold pairs | direct | +xref | +ancestor |\n|---|---:|---:|---:|---:|")
    for chapter in sorted(chapter_ranks, key=chapter_sort_key):
        table = recall_table(chapter_ranks[chapter])
        print(
            f"| {chapter} | {len(chapter_ranks[chapter])} | "
            + " | ".join(f"{table[kind][25]:.3f}" for kind in KINDS)
            + " |"
        )


def narrowed(settings: SearchSettings, names: str) -> SearchSettings:
    """Return the settings with dense search narrowed to some of the sources built with it."""
    chosen = [n.strip() for n in names.split(",") if n.strip() and n.strip() != "none"]
    try:
        sources = tuple(IndexSource(n) for n in chosen)
    except ValueError as exc:
        raise SystemExit(f"--dense-sources: {exc}; choose among {', '.join(IndexSource)}") from exc
    if not set(sources) <= set(settings.dense_sources):
        raise SystemExit(
            f"--dense-sources: the index embeds only {', '.join(settings.dense_sources)}"
        )
    return dataclasses.replace(settings, dense_sources=sources)


def chapter_label(icd: IcdResources, gold: str) -> str:
    """Return 'N first-last' for a gold code's chapter (by its category), or 'not in release'."""
    category = gold[:3]
    if icd.exists(category):
        chapter = icd.chapter_of(category)
        return f"{chapter.number} {chapter.first}-{chapter.last}"
    return "not in release"


def chapter_sort_key(label: str) -> int:
    """Sort chapter labels by number."""
    head = label.split(" ", 1)[0]
    return int(head) if head.isdigit() else 99


if __name__ == "__main__":
    main()
