from pathlib import Path

import pytest

from evals.codiesp import load_codiesp
from evals.reach import Reach, reach

FIXTURE = Path(__file__).parents[2] / "fixtures" / "codiesp_like"


@pytest.mark.parametrize(
    ("found", "gold", "expected"),
    [
        ("N18.9", "N18.9", Reach.DIRECT),
        ("W19", "W19.XXX", Reach.DIRECT),
        ("W19.XXXA", "W19.XXX", Reach.DIRECT),
        ("S72.001A", "S72.001", Reach.DIRECT),
        ("S72.0", "S72.001", Reach.ANCESTOR),
        ("N18", "N18.9", Reach.ANCESTOR),
        ("N18.9", "N18", Reach.NONE),
        ("E11.9", "E11.22", Reach.NONE),
    ],
)
def test_reach(found: str, gold: str, expected: Reach) -> None:
    assert reach(found, gold) is expected


def test_loader_reports_bad_rows_and_missing_texts() -> None:
    split = load_codiesp(FIXTURE, "dev")
    assert [d.id for d in split.docs] == ["doc1", "doc2"]
    assert split.docs[0].gold == ("N18.9", "W19.XXX")  # upper-cased, duplicates merged
    assert split.docs[0].sentences == ["Chronic kidney disease.", "The patient fell."]
    assert split.problems == [
        "devD.tsv line 4: expected article<TAB>code: 'broken line without tab'",
        "no English text for doc3",
    ]
    with pytest.raises(FileNotFoundError, match="trainD.tsv"):
        load_codiesp(FIXTURE, "train")


def test_gold_status_of_a_code_written_without_its_seventh_character(fixture_icd) -> None:
    from evals.gold import BILLABLE, NOT_BILLABLE, NOT_IN_RELEASE, SEVENTH_OMITTED, gold_status

    assert gold_status(fixture_icd, "S06.0X1") == SEVENTH_OMITTED  # present, extensions below
    assert gold_status(fixture_icd, "S09.XXX") == SEVENTH_OMITTED  # padded, absent on its own
    assert gold_status(fixture_icd, "A00") == NOT_BILLABLE
    assert gold_status(fixture_icd, "A00.0") == BILLABLE
    assert gold_status(fixture_icd, "Z99.9") == NOT_IN_RELEASE
