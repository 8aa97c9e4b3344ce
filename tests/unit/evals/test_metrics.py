import pytest

from evals.metrics import (
    align_to_gold,
    frequency_bucket,
    mean_average_precision,
    micro_macro,
    recall_by,
    to_category,
)


def test_micro_macro_hand_computed() -> None:
    predicted = [["A", "B"], ["A", "C"]]
    gold = [["A"], ["B", "C"]]
    m = micro_macro(predicted, gold)
    # TP: A(note1), C(note2) = 2; FP: B(note1), A(note2) = 2; FN: B(note2) = 1
    assert m["micro_precision"] == pytest.approx(2 / 4)
    assert m["micro_recall"] == pytest.approx(2 / 3)
    assert m["micro_f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    # per label: A p=1/2 r=1 f=2/3; B p=0 r=0 f=0; C p=1 r=1 f=1
    assert m["macro_precision"] == pytest.approx((0.5 + 0 + 1) / 3)
    assert m["macro_recall"] == pytest.approx((1 + 0 + 1) / 3)
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert m["exact_match_ratio"] == 0.0


def test_exact_match_and_empty() -> None:
    assert micro_macro([["A"], []], [["A"], []])["exact_match_ratio"] == 1.0
    assert micro_macro([[]], [["A"]])["micro_precision"] == 0.0


def test_map_hand_computed() -> None:
    # ranks 1 and 3 relevant of 2 gold: (1/1 + 2/3) / 2
    assert mean_average_precision([["A", "X", "B"]], [["A", "B"]]) == pytest.approx((1 + 2 / 3) / 2)
    assert mean_average_precision([["X"], ["A"]], [["A"], ["A"]]) == pytest.approx(0.5)


def test_seventh_character_alignment() -> None:
    assert align_to_gold(["W19.XXXA", "S72.001A", "E11.9"], ["W19.XXX", "S72.001"]) == [
        "W19.XXX",
        "S72.001",
        "E11.9",
    ]
    assert align_to_gold(["T36.0X1A"], ["T36.0X1A"]) == ["T36.0X1A"]


def test_recall_by_group_and_buckets() -> None:
    by = recall_by([["A1", "B1"]], [["A1", "A2", "B2"]], lambda c: c[0])
    assert by == {"A": (2, 0.5), "B": (1, 0.0)}
    assert [frequency_bucket(n) for n in (0, 1, 4, 5, 19, 20, 300)] == [
        "unseen in train",
        "rare (1-4)",
        "rare (1-4)",
        "medium (5-19)",
        "medium (5-19)",
        "frequent (20+)",
        "frequent (20+)",
    ]
    assert to_category(["E11.9", "E11.22", "I10"]) == ["E11", "I10"]


def test_macro_scores_do_not_depend_on_the_hash_seed() -> None:
    import os
    import subprocess
    import sys

    script = (
        "from evals.metrics import micro_macro;"
        "pred=[[f'C{i}.{j}' for j in range(7)] for i in range(30)];"
        "gold=[[f'C{i}.{j}' for j in range(3, 11)] for i in range(30)];"
        "print(repr(micro_macro(pred, gold)))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1
