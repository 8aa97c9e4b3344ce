"""Time the coding checks of ``clh check`` on code lists of growing length.

Draws billable codes from the release (a fixed seed, so every run checks the same lists),
runs :func:`tools.code_checks.run_checks` on each list, as ``clh check`` does after parsing
the codes, and prints the seconds per size::

    python -m evals.bench_check_speed [--sizes 10 100 500] [--seed 0]
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
    args = parser.parse_args(argv)
    print(f"{'codes':>6} {'seconds':>8} {'checks':>7}")
    for size in args.sizes:
        # A fresh store per size: its code cache would otherwise carry over between sizes.
        icd = IcdResources.load(ResourceSettings.resolve(None, None))
        seconds, fired = time_checks(icd, sample_codes(icd, size, args.seed))
        print(f"{size:>6} {seconds:>8.3f} {fired:>7}")


if __name__ == "__main__":
    main()
