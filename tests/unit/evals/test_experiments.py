from evals.experiments import codes_after_pass, compare_table, passes_table

ROWS = [
    {
        "id": "a",
        "gold": ["A00.0", "A01"],
        "pred": ["A00.0", "A01"],
        "result": {
            "pass_history": [
                {"pass": 1, "codes": ["A00.0"]},
                {"pass": 2, "codes": ["A00.0", "A01"]},
            ]
        },
    },
    {
        "id": "b",
        "gold": ["A02"],
        "pred": ["A02"],
        "result": {"pass_history": [{"pass": 1, "codes": ["A02"]}]},
    },  # stopped after pass 1
]


def test_codes_after_each_pass_carry_forward_an_early_stop() -> None:
    assert codes_after_pass(ROWS[0], 1) == ["A00.0"]
    assert codes_after_pass(ROWS[1], 3) == ["A02"]


def test_passes_table_scores_each_pass() -> None:
    table = passes_table(ROWS, 2).splitlines()
    # pass 1: TP 2 (A00.0, A02), FN 1 -> recall 2/3; pass 2: all found, 1 note changed
    assert table[2].startswith("| 1 | 1.000 | 0.667 | 0.800 |")
    assert table[3].startswith("| 2 | 1.000 | 1.000 | 1.000 |") and table[3].endswith("| 1 |")


def test_compare_table_rows() -> None:
    summary = {
        "notes": 2,
        "all_gold": {
            "micro_precision": 0.5,
            "micro_recall": 0.25,
            "micro_f1": 1 / 3,
            "macro_f1": 0.2,
            "exact_match_ratio": 0.0,
            "map": 0.1,
        },
        "cost": {"calls_per_note": 12.0, "seconds_per_note": 30.0},
    }
    table = compare_table("top-k", {"5": summary, "10": summary}).splitlines()
    assert table[2] == "| 5 | 2 | 0.500 | 0.250 | 0.333 | 0.200 | 0.000 | 0.100 | 12.0 | 30.0 |"
    assert len(table) == 4
