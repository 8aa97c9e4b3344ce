"""Coding metrics as pure functions over predicted and gold code sets.

Conventions (stated in every report):
- micro P/R/F1 sum true positives, false positives and false negatives over all notes;
- macro P/R/F1 average per-code scores over every code present in the gold or the predictions
  of the evaluated notes (a zero denominator scores 0);
- exact match ratio: notes whose predicted set equals the gold set;
- MAP: mean over notes of the average precision of the ranked predictions (CodiEsp's ranking
  metric): AP = sum over ranks k of P@k * rel(k), divided by the number of gold codes;
- a prediction with a 7th character matches a gold code written without it (CodiEsp omits the
  7th character: W19.XXX for W19.XXXA).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from icd_resources.codes import same_but_for_seventh


def align_to_gold(predicted: Sequence[str], gold: Sequence[str]) -> list[str]:
    """Rewrite predictions that equal a gold code plus its 7th character to that gold code."""
    gold_set = set(gold)
    aligned: list[str] = []
    for code in predicted:
        if code not in gold_set:
            code = next((g for g in gold if same_but_for_seventh(code, g)), code)
        if code not in aligned:
            aligned.append(code)
    return aligned


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def micro_macro(
    predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Return micro and macro precision, recall and F1, and the exact match ratio."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact = 0
    for pred, true in zip(predicted, gold, strict=True):
        p, g = set(pred), set(true)
        exact += p == g
        for code in p & g:
            tp[code] += 1
        for code in p - g:
            fp[code] += 1
        for code in g - p:
            fn[code] += 1
    tps, fps, fns = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_p = tps / (tps + fps) if tps + fps else 0.0
    micro_r = tps / (tps + fns) if tps + fns else 0.0
    labels = sorted(set(tp) | set(fp) | set(fn))  # a fixed order: float sums reproduce
    per_p = [tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0 for c in labels]
    per_r = [tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 0.0 for c in labels]
    per_f = [_f1(p, r) for p, r in zip(per_p, per_r, strict=True)]
    n = len(labels) or 1
    return {
        "micro_precision": micro_p,
        "micro_recall": micro_r,
        "micro_f1": _f1(micro_p, micro_r),
        "macro_precision": sum(per_p) / n,
        "macro_recall": sum(per_r) / n,
        "macro_f1": sum(per_f) / n,
        "exact_match_ratio": exact / (len(gold) or 1),
        "notes": len(gold),
        "gold_codes": tps + fns,
        "predicted_codes": tps + fps,
    }


def mean_average_precision(ranked: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]) -> float:
    """Return MAP of ranked predictions (notes without gold codes are skipped)."""
    scores = []
    for pred, true in zip(ranked, gold, strict=True):
        g = set(true)
        if not g:
            continue
        hits = 0
        total = 0.0
        for k, code in enumerate(pred, start=1):
            if code in g:
                hits += 1
                total += hits / k
        scores.append(total / len(g))
    return sum(scores) / len(scores) if scores else 0.0


def recall_by(
    predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]], group: Callable[[str], str]
) -> dict[str, tuple[int, float]]:
    """Return recall per group of gold codes (e.g. chapter): {group: (gold count, recall)}."""
    found: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for pred, true in zip(predicted, gold, strict=True):
        p = set(pred)
        for code in set(true):
            key = group(code)
            total[key] += 1
            found[key] += code in p
    return {k: (total[k], found[k] / total[k]) for k in total}


FREQUENCY_BUCKETS = (
    (0, 0, "unseen in train"),
    (1, 4, "rare (1-4)"),
    (5, 19, "medium (5-19)"),
    (20, 10**9, "frequent (20+)"),
)


def frequency_bucket(count: int) -> str:
    """Name the training-frequency bucket of a code (notes of the train split that have it)."""
    for low, high, name in FREQUENCY_BUCKETS:
        if low <= count <= high:
            return name
    return "frequent (20+)"


def to_category(codes: Sequence[str]) -> list[str]:
    """Map codes to their 3-character categories, keeping first-seen order."""
    return list(dict.fromkeys(code[:3] for code in codes))
