"""Time the coding checks of ``clh check`` on code lists of growing length.

Two lists per size, the same on every run: billable codes drawn across the release with a
fixed seed, and consecutive billable codes from one part of the Tabular List (``--start``,
default T36: poisoning codes, dense with Excludes1 and "code first" notes, the pairwise rules'
worst case). Runs :func:`tools.code_checks.run_checks` as ``clh check`` does after parsing the
codes, and prints the seconds::

    python -m evals.bench_check_speed [--sizes 10 100 500] [--seed 0] [--start T36]
"""

from __future__ import annotations

import argparse
import random
import time

from icd_resources import IcdResources, ResourceSettings
from tools.code_checks import CheckPolicy, run_checks


def sample_codes(icd: IcdResources, size: int, seed: int) -> list[str]:
    """Return ``size`` distinct billable codes of the release, drawn with ``seed``."""
    billable = [info.code for info in icd.codes(billable_only=True)]
    return random.Random(seed).sample(billable, size)


def consecutive_codes(icd: IcdResources, size: int, start: str) -> list[str]:
    """Return ``size`` billable codes in tabular order, from the first one at ``start``."""
    billable = [info.code for info in icd.codes(billable_only=True)]
    first = next((i for i, code in enumerate(billable) if code >= start), 0)
    return billable[first : first + size]


def time_checks(icd: IcdResources, codes: list[str]) -> tuple[float, int]:
    """Return the seconds the checks take on ``codes`` and how many checks fired."""
    started = time.perf_counter()
    _, checks = run_checks(icd, codes, CheckPolicy())
    return time.perf_counter() - started, len(checks)


def main(argv: list[str] | None = None) -> None:
    """Print the seconds the checks take for each list size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", default="T36")
    args = parser.parse_args(argv)
    print(f"{'codes':>6} {'list':<16} {'seconds':>8} {'checks':>7}")
    for size in args.sizes:
        for label in ("drawn", f"from {args.start}"):
            # A fresh store per list: its code cache would otherwise carry over.
            icd = IcdResources.load(ResourceSettings.resolve(None, None))
            if label == "drawn":
                codes = sample_codes(icd, size, args.seed)
            else:
                codes = consecutive_codes(icd, size, args.start)
            seconds, fired = time_checks(icd, codes)
            print(f"{size:>6} {label:<16} {seconds:>8.3f} {fired:>7}")


if __name__ == "__main__":
    main()
