"""Time the note_lanes step (mentions, index walk, searches, ranking) on notes of growing length.

The notes are one discharge paragraph repeated to each length (``--chars``, default 10,000
and 100,000 characters): what a long record pasted whole costs before any model call. Runs the
graph's own pooling and ranking (``graph.nodes.note_lanes``) with the default settings, and
prints the seconds and the pool's size::

    python -m evals.bench_note_lanes [--chars 10000 100000]
"""

from __future__ import annotations

import argparse
import time

from graph.context import Context
from graph.deps import get_deps
from graph.nodes.note_lanes import order_pool, pool_lanes
from graph.plan import plan_for
from tools.pool_ranker import load_pool_ranker

PARAGRAPH = (
    "A 72-year-old man was admitted with fever, productive cough and dyspnea. Chest X-ray "
    "showed a right lower lobe consolidation; he was treated for community-acquired pneumonia "
    "with intravenous ceftriaxone. Past history: type 2 diabetes mellitus with diabetic chronic "
    "kidney disease, stage 3a, on long-term insulin. Essential hypertension. He quit smoking "
    "ten years ago. No history of myocardial infarction. On day 3 he developed a rash "
    "attributed to an adverse effect of ceftriaxone.\n"
)


def long_note(chars: int) -> str:
    """Return the paragraph repeated until the note has ``chars`` characters."""
    return (PARAGRAPH * (chars // len(PARAGRAPH) + 1))[:chars]


def time_lanes(note: str, context: Context) -> tuple[float, int, int]:
    """Return the seconds note_lanes' work takes on ``note``, its mentions and pooled codes."""
    deps = get_deps(context)
    plan = plan_for(context, deps)
    ranker = load_pool_ranker(plan.pool_ranker)
    started = time.perf_counter()
    run = pool_lanes(deps, note, plan)
    ordered, _scores = order_pool(deps, note, ranker, run)
    return time.perf_counter() - started, len(run.mentions), len(ordered)


def main() -> None:
    """Print the seconds per note length."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    context = Context()
    time_lanes(long_note(1_000), context)  # load the index, the model of mentions, the ranker
    print("| note characters | seconds | mentions | pooled codes |")
    print("|---:|---:|---:|---:|")
    for chars in args.chars:
        seconds, mentions, pooled = time_lanes(long_note(chars), context)
        print(f"| {chars:,} | {seconds:.1f} | {mentions:,} | {pooled:,} |")


if __name__ == "__main__":
    main()
