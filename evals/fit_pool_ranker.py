"""Fit the pool ranker on training notes: ``python -m evals.fit_pool_ranker``.

Every training note is pooled with the ranked lanes (mention, walk, sentence); each pooled
candidate is a row, coded (in the note's gold) or not. How often a code, its category and its
block were coded when pooled is counted on one half of the notes and used as the other half's
features (and the other way round), so the fitted weights do not trust a prior that has seen
the row's own gold; the file keeps the priors counted on every note. The logistic regression
is fitted by Newton's method with an L2 penalty. Only a training split is accepted: dev
measures the result (``python -m evals.bench_search --sections pooled``).

Pooling a note takes about a second; the pools are kept in a JSON-lines file in the cache
(``<cache>/pool-ranker/``), so an interrupted fit resumes where it stopped.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from evals.datasets import load
from evals.doc_types import Doc
from evals.reach import Reach, is_coded, reach
from evals.runner import data_fingerprint
from icd_resources import IcdResources, ResourceSettings
from tools.candidate_pool import CandidatePool, PooledCandidate, with_siblings
from tools.index_search import IndexSearcher, SearchSettings, build_index
from tools.index_walk import IndexWalker
from tools.lanes import RANKED_LANES
from tools.note_lanes import LANE_WEIGHTS, pool_note
from tools.note_mentions import MentionFinder
from tools.pool_ranker import (
    PRIOR_LEVELS,
    RANKER_VERSION,
    PoolRanker,
    Priors,
    block_key,
    candidate_features,
)
from tools.words import content_words

CAPS = (20, 40, 60, 100)
SIBLING_CODES = 12
"""Chosen on CodiEsp train, each half ranked with the other half's priors, by recall at 20 /
60 / 100 (0, 12 and 20 compared; the figures are in docs/evaluation.md)."""
MIN_POOLED = 3
"""A code's own counts are kept when it was pooled this often or coded at all (smaller file;
a rarer code gets its category's rate, which its own two rows would hardly move)."""

PooledNote = tuple[Doc, list[PooledCandidate]]


def pooled_notes(
    icd: IcdResources,
    open_searcher: Callable[[], IndexSearcher],
    docs: Sequence[Doc],
    cache: Path,
    *,
    k: int,
    on_note: Callable[[int, int], None] | None = None,
) -> Iterator[PooledNote]:
    """Pool each note with the ranked lanes, reading back the notes ``cache`` already holds.

    The index is opened (``open_searcher``) only if a note is not in the cache: an index
    serves one process at a time, and a refit from cached pools need not hold it.
    """
    done: dict[str, list[PooledCandidate]] = {}
    if cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:  # a torn last line from an interrupted fit
                continue
            done[row["id"]] = [PooledCandidate(**c) for c in row["candidates"]]
    finder, walker = MentionFinder.for_release(icd), IndexWalker(icd)
    searcher: IndexSearcher | None = None
    with cache.open("a", encoding="utf-8") as out:
        for number, doc in enumerate(docs, start=1):
            if doc.id not in done:
                searcher = searcher or open_searcher()
                pool = CandidatePool(icd, weights=LANE_WEIGHTS)
                pool_note(doc.text, pool, searcher, finder, walker, lanes=RANKED_LANES, k=k)
                done[doc.id] = pool.ranked()
                candidates = [dataclasses.asdict(c) for c in done[doc.id]]
                out.write(json.dumps({"id": doc.id, "candidates": candidates}) + "\n")
                out.flush()
            if on_note:
                on_note(number, len(docs))
            yield doc, done[doc.id]


def count_priors(icd: IcdResources, notes: Sequence[PooledNote], *, prune: bool) -> Priors:
    """Count, per block, category and code, how often pooled candidates were coded."""
    counts: dict[str, dict[str, list[int]]] = {level: {} for level in PRIOR_LEVELS}
    rows = coded_rows = 0
    for doc, candidates in notes:
        for candidate in candidates:
            coded = is_coded(candidate.code, doc.gold)
            rows, coded_rows = rows + 1, coded_rows + coded
            keys = (block_key(icd, candidate.code), candidate.code[:3], candidate.code)
            for level, key in zip(PRIOR_LEVELS, keys, strict=True):
                pair = counts[level].setdefault(key, [0, 0])
                pair[0] += coded
                pair[1] += 1
    if prune:
        counts["code"] = {
            code: pair for code, pair in counts["code"].items() if pair[0] or pair[1] >= MIN_POOLED
        }
    return Priors(base_rate=coded_rows / max(rows, 1), counts=counts)


def feature_rows(
    icd: IcdResources, notes: Sequence[PooledNote], priors: Priors
) -> tuple[list[dict[str, float]], list[bool]]:
    """Return every pooled candidate's features and whether it was coded."""
    features, labels = [], []
    for doc, candidates in notes:
        note_words = content_words(doc.text)
        for candidate in candidates:
            features.append(candidate_features(icd, candidate, note_words, priors))
            labels.append(is_coded(candidate.code, doc.gold))
    return features, labels


def fit_logistic(
    x: NDArray[np.float64], y: NDArray[np.float64], *, l2: float = 1.0, steps: int = 30
) -> tuple[NDArray[np.float64], float, NDArray[np.float64], NDArray[np.float64]]:
    """Fit an L2-penalized logistic regression on standardized features (Newton's method).

    Returns:
        The weights, the bias, and the means and scales the features are standardized with.
    """
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z = np.hstack([(x - means) / scales, np.ones((len(x), 1))])
    penalty = l2 * np.r_[np.ones(z.shape[1] - 1), 0.0]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1]), means, scales


CrossedHalves = list[tuple[Sequence[PooledNote], Priors]]


def crossed_halves(icd: IcdResources, notes: Sequence[PooledNote]) -> CrossedHalves:
    """Return each half of the notes with the priors counted on the other half."""
    half = len(notes) // 2
    first, second = notes[:half], notes[half:]
    return [
        (second, count_priors(icd, first, prune=True)),
        (first, count_priors(icd, second, prune=True)),
    ]


def fit_ranker(
    icd: IcdResources,
    notes: Sequence[PooledNote],
    *,
    data: str,
    k: int,
    siblings: int = 0,
    halves: CrossedHalves | None = None,
) -> PoolRanker:
    """Fit the ranker on pooled training notes, each half's priors counted on the other half.

    ``notes`` hold their pools with ``siblings`` (``with_siblings``) already added; ``halves``
    are those of ``crossed_halves(icd, notes)`` when the caller has them already.
    """
    rows: list[dict[str, float]] = []
    labels: list[bool] = []
    for half_notes, priors in halves or crossed_halves(icd, notes):
        half_rows, half_labels = feature_rows(icd, half_notes, priors)
        rows, labels = rows + half_rows, labels + half_labels
    names = list(rows[0]) if rows else []
    x = np.array([[row[name] for name in names] for row in rows], dtype=float)
    y = np.array(labels, dtype=float)
    weights, bias, means, scales = fit_logistic(x, y)
    return PoolRanker(
        version=RANKER_VERSION,
        data=data,
        notes=len(notes),
        lanes=list(RANKED_LANES),
        top_k=k,
        created=dt.date.today().isoformat(),
        features=names,
        weights=[round(float(w), 6) for w in weights],
        bias=round(bias, 6),
        means=[float(m) for m in means],
        scales=[float(s) for s in scales],
        priors=count_priors(icd, notes, prune=True),
        fit={"rows": len(rows), "coded": int(y.sum())},
        siblings=siblings,
    )


def recall_at(
    icd: IcdResources, notes: Sequence[PooledNote], ranker: PoolRanker | None
) -> dict[int, float]:
    """Return the share of gold pairs among each note's first candidates, at each cap."""
    found, pairs = dict.fromkeys(CAPS, 0), 0
    for doc, candidates in notes:
        ordered = ranker.rank(icd, candidates, doc.text) if ranker else candidates
        codes = [c.code for c in ordered]
        for gold in doc.gold:
            pairs += 1
            rank = next((i for i, c in enumerate(codes, 1) if reach(c, gold) is Reach.DIRECT), 0)
            for cap in CAPS:
                found[cap] += 0 < rank <= cap
    return {cap: round(found[cap] / max(pairs, 1), 4) for cap in CAPS}


def cross_recall(icd: IcdResources, halves: CrossedHalves, ranker: PoolRanker) -> dict[int, float]:
    """Return the ranker's recall on its training notes, each half with the other's priors.

    With a note's own gold in the priors the figure would flatter the ranker.
    """
    found = {cap: 0.0 for cap in CAPS}
    for ranked, priors in halves:
        crossed = dataclasses.replace(ranker, priors=priors)
        pairs = sum(len(doc.gold) for doc, _ in ranked)
        for cap, share in recall_at(icd, ranked, crossed).items():
            found[cap] += share * pairs
    total = sum(len(doc.gold) for half, _ in halves for doc, _ in half)
    return {cap: round(found[cap] / max(total, 1), 4) for cap in CAPS}


def main() -> None:
    """Pool the training notes, fit, write the ranker file and print what it reaches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/codiesp"))
    parser.add_argument("--dataset", default="codiesp")
    parser.add_argument("--split", default="train")
    parser.add_argument("--limit", type=int, help="first N notes only")
    parser.add_argument("--k", type=int, default=20, help="hits per lane query")
    parser.add_argument(
        "--siblings",
        type=int,
        default=SIBLING_CODES,
        help="add the other codes of pooled categories of at most this many codes (0: none)",
    )
    parser.add_argument("--out", type=Path, default=Path("pool-ranker.json"))
    args = parser.parse_args()
    if args.split != "train":
        parser.error(f"the ranker fits on a training split only, not {args.split!r}")
    dataset = load(args.dataset, args.data, args.split)
    docs = dataset.docs[: args.limit]
    resources = ResourceSettings.resolve(None, None)
    icd = IcdResources.load(resources)

    def open_searcher() -> IndexSearcher:
        settings = SearchSettings.resolve()
        build_index(icd, settings, resources.cache_dir)
        return IndexSearcher.open(icd, settings, resources.cache_dir)

    data = f"{dataset.name}@{data_fingerprint(dataset)}"
    cache = resources.cache_dir / "pool-ranker" / f"{data.replace('@', '-')}-k{args.k}.jsonl"
    cache.parent.mkdir(parents=True, exist_ok=True)
    print(f"pools kept in {cache} (delete it to pool again after changing the lanes)")

    def progress(number: int, total: int) -> None:
        if number % 25 == 0 or number == total:
            print(f"pooled {number}/{total} notes", flush=True)

    pooled = list(pooled_notes(icd, open_searcher, docs, cache, k=args.k, on_note=progress))
    notes = [(doc, with_siblings(icd, pool, args.siblings)) for doc, pool in pooled]
    halves = crossed_halves(icd, notes)
    ranker = fit_ranker(icd, notes, data=data, k=args.k, siblings=args.siblings, halves=halves)
    ranker.fit.update({f"fused@{c}": r for c, r in recall_at(icd, pooled, None).items()})
    ranker.fit.update({f"ranked@{c}": r for c, r in cross_recall(icd, halves, ranker).items()})
    args.out.write_text(ranker.to_json(), encoding="utf-8")
    print(f"wrote {args.out} ({len(notes)} notes, {ranker.fit['rows']} rows)")
    for name, weight in zip(ranker.features, ranker.weights, strict=True):
        print(f"  {name:18s} {weight:+.3f}")
    print("training notes (each half ranked with the other half's priors):", json.dumps(ranker.fit))


if __name__ == "__main__":
    main()
