from pathlib import Path

from evals.datasets import load

FIXTURE = Path(__file__).parents[2] / "fixtures" / "mdace_like"


def test_mdace_admissions_join_their_notes_and_keep_icd10_codes() -> None:
    loaded = load("mdace", FIXTURE, notes=FIXTURE / "NOTEEVENTS.csv")
    (doc,) = loaded.docs
    assert doc.id == "100" and doc.gold == ("I10", "E11.9")
    assert (
        doc.text
        == 'Patient with hypertension and diabetes, "stable".\n\nSecond note,\nwith a line break.'
    )
    assert doc.text[13:25] == "hypertension"
    assert "100.json: note 99 not in NOTEEVENTS" in loaded.problems
    assert "1 annotations of other code systems (ICD-9, PCS) skipped" in loaded.problems
