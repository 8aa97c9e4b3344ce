"""Clinical abbreviations spelt out as a coder reads them."""

from __future__ import annotations

from tools.abbreviations import expand


def test_abbreviations_are_spelt_out_as_written_and_only_as_whole_words() -> None:
    assert expand("HTN, HLD, A-fib on apixaban") == (
        "hypertension, hyperlipidemia, atrial fibrillation on apixaban"
    )
    # Case and word boundaries: "cad" is no abbreviation, "MIs" and "CKD-3" are not touched.
    assert expand("the cad, MIs, CKD-3") == "the cad, MIs, CKD-3"
    assert expand("CKD stage 3b") == "chronic kidney disease stage 3b"


def test_an_organism_is_spelt_out_as_the_index_names_it() -> None:
    assert expand("LLL pneumonia due to H. influenzae; E. coli UTI") == (
        "LLL pneumonia due to Hemophilus influenzae; Escherichia coli urinary tract infection"
    )
    assert expand("closed displaced R femur fx") == "closed displaced R femur fracture"
