"""Measure the resource layer: artifact build time, load time and per-call latencies.

Run: ``python -m evals.bench_resources [--icd-dir DIR ...]`` (defaults as for ``clh``). The build
is timed into a fresh temporary cache so the number is a cold build.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from icd_resources import IcdResources, ResourceSettings
from icd_resources.build import ensure_artifact


def _per_call_us(func: Callable[[str], object], codes: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for code in codes:
            func(code)
        best = min(best, (time.perf_counter() - started) / len(codes))
    return best * 1e6


def main() -> None:
    """Print a table of build, load and query timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--icd-dir", action="append", type=Path)
    parser.add_argument("--sample", type=int, default=5000, help="codes per latency measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        settings = ResourceSettings.resolve(args.icd_dir, Path(cache))
        started = time.perf_counter()
        path, _ = ensure_artifact(settings)
        build_s = time.perf_counter() - started

        loads = []
        for _ in range(5):
            started = time.perf_counter()
            icd = IcdResources.load(settings)
            loads.append(time.perf_counter() - started)
            icd.close()
        open_only = []
        for _ in range(5):
            started = time.perf_counter()
            IcdResources(path).close()
            open_only.append(time.perf_counter() - started)

        icd = IcdResources(path)
        all_codes = [c.code for c in icd.codes()]
        sample = random.Random(0).sample(all_codes, min(args.sample, len(all_codes)))
        cold_lookup = _per_call_us(icd.lookup, sample, repeat=1)
        warm_lookup = _per_call_us(icd.lookup, sample)
        notes = _per_call_us(icd.notes_for, sample[:1000], repeat=1)
        ancestors = _per_call_us(icd.ancestors, sample[:1000])
        entries = _per_call_us(icd.entries_for_code, sample[:1000], repeat=1)
        size_mb = path.stat().st_size / 1e6

    rows = [
        ("cold build (parse + write artifact)", f"{build_s:.2f} s"),
        ("artifact size", f"{size_mb:.1f} MB"),
        (
            "load, cached (discover + hash inputs + open), median of 5",
            f"{statistics.median(loads) * 1000:.0f} ms",
        ),
        ("open artifact only, median of 5", f"{statistics.median(open_only) * 1000:.1f} ms"),
        (f"lookup(code), first call, {len(sample)} random codes", f"{cold_lookup:.1f} us"),
        ("lookup(code), repeated (in-process cache)", f"{warm_lookup:.2f} us"),
        ("ancestors(code)", f"{ancestors:.1f} us"),
        ("notes_for(code), first call", f"{notes:.1f} us"),
        ("entries_for_code(code), first call", f"{entries:.1f} us"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
