"""Checks on the real CMS/NCHS files in ../shared/data (hand-verified against the XML)."""

from __future__ import annotations

import warnings

import pytest

from icd_resources import GuidelinesUnavailableError, IcdResources, IndexSource, NoteKind

pytestmark = pytest.mark.release


def test_billable_codes_match_simple_icd_10_cm(real_icd: IcdResources) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm as sicd
    ours = {c.code for c in real_icd.codes(billable_only=True)}
    # (its is_leaf is also true of a few block ids such as M60-M79; those are not codes)
    theirs = {c for c in sicd.get_all_codes(True) if sicd.is_leaf(c) and "-" not in c}
    assert ours == theirs
    assert len(ours) == 74719


def test_counts(real_icd: IcdResources) -> None:
    stats = real_icd.stats()
    assert stats["release"] == "2026"
    assert stats["tabular"]["chapters"] == 22
    assert stats["tabular"]["blocks"] == 297
    entries = stats["index"]["entries_by_source"]
    assert set(entries) == {"index", "eindex", "drug", "neoplasm"}
    assert stats["index"]["codes_by_source"]["index"] == 62721  # every <code> of the file
    assert stats["guidelines"]["chapters_mapped"] == 22
    assert stats["problems"] == []
    assert real_icd.chapter(17).last == "QA0"  # FY2026: a category with a letter second
    assert real_icd.lookup("QA0.01").chapter == 17


@pytest.mark.parametrize(
    ("code", "description", "lineage", "chapter", "block"),
    [
        (
            "E11.22",
            "Type 2 diabetes mellitus with diabetic chronic kidney disease",
            ["E11", "E11.2"],
            4,
            "E08-E13",
        ),
        (
            "T36.0X1A",
            "Poisoning by penicillins, accidental (unintentional), initial encounter",
            ["T36", "T36.0", "T36.0X", "T36.0X1"],
            19,
            "T36-T50",
        ),
        (
            "C50.911",
            "Malignant neoplasm of unspecified site of right female breast",
            ["C50", "C50.9", "C50.91"],
            2,
            "C50",
        ),
        (
            "W59.22XA",
            "Struck by turtle, initial encounter",
            ["W59", "W59.2", "W59.22"],
            20,
            "W50-W64",
        ),
        ("I10", "Essential (primary) hypertension", [], 9, "I10-I1A"),
        (
            "S72.001A",
            "Fracture of unspecified part of neck of right femur, initial encounter for "
            "closed fracture",
            ["S72", "S72.0", "S72.00", "S72.001"],
            19,
            "S70-S79",
        ),
        (
            "J44.1",
            "Chronic obstructive pulmonary disease with (acute) exacerbation",
            ["J44"],
            10,
            "J40-J4A",
        ),
        ("Z79.01", "Long term (current) use of anticoagulants", ["Z79", "Z79.0"], 21, "Z77-Z99"),
        ("F32.A", "Depression, unspecified", ["F32"], 5, "F30-F39"),
        ("A41.9", "Sepsis, unspecified organism", ["A41"], 1, "A30-A49"),
        ("N18.4", "Chronic kidney disease, stage 4 (severe)", ["N18"], 14, "N17-N19"),
        (
            "M80.08XA",
            "Age-related osteoporosis with current pathological fracture, vertebra(e), "
            "initial encounter for fracture",
            ["M80", "M80.0", "M80.08"],
            13,
            "M80-M85",
        ),
    ],
)
def test_hand_checked_cards(
    real_icd: IcdResources,
    code: str,
    description: str,
    lineage: list[str],
    chapter: int,
    block: str,
) -> None:
    info = real_icd.lookup(code)
    assert info.description == description
    assert info.billable
    assert [a.code for a in reversed(real_icd.ancestors(code))] == lineage
    assert real_icd.chapter_of(code).number == chapter
    assert real_icd.block_of(code).id == block


def test_instructional_notes_of_e11_22(real_icd: IcdResources) -> None:
    notes = real_icd.notes_for("E11.22")
    assert notes[0].kind is NoteKind.USE_ADDITIONAL_CODE and notes[0].origin == "E11.22"
    assert "N18.1-N18.6" in notes[0].text
    excludes = {(n.origin, n.text) for n in notes if n.kind is NoteKind.EXCLUDES1}
    assert ("E11", "type 1 diabetes mellitus (E10.-)") in excludes
    assert real_icd.notes_for("E11.22", kinds={NoteKind.CODE_FIRST}) == []


def test_seventh_characters_and_placeholder(real_icd: IcdResources) -> None:
    assert not real_icd.is_billable("W59.22")
    assert [c.code for c in real_icd.billable_descendants("W59.22")] == [
        "W59.22XA",
        "W59.22XD",
        "W59.22XS",
    ]
    assert [s.char for s in real_icd.seventh_characters("T36.0X1")] == ["A", "D", "S"]
    # S06 note: "7th characters D and S do not apply to codes ... with 6th character 7"
    assert real_icd.exists("S06.1X7A") and not real_icd.exists("S06.1X7D")
    assert real_icd.exists("S06.1X6D")


def test_drug_table_lookup(real_icd: IcdResources) -> None:
    (adverse,) = real_icd.find_index_path("Warfarin, adverse effect", IndexSource.DRUG)
    assert [c.code for c in adverse.codes] == ["T45.515"]
    (accidental,) = real_icd.find_index_path(
        "Warfarin, poisoning accidental (unintentional)", IndexSource.DRUG
    )
    assert [c.code for c in accidental.codes] == ["T45.511"]
    assert [c.code for c in real_icd.billable_descendants("T45.515")] == [
        "T45.515A",
        "T45.515D",
        "T45.515S",
    ]


def test_neoplasm_table_lookup(real_icd: IcdResources) -> None:
    (primary,) = real_icd.find_index_path(
        "Neoplasm, neoplastic, breast, malignant primary", IndexSource.NEOPLASM
    )
    assert [(c.code, c.incomplete) for c in primary.codes] == [("C50.9", True)]
    assert "C50.911" in {c.code for c in real_icd.billable_descendants("C50.9")}


def test_see_reference_resolves(real_icd: IcdResources) -> None:
    (entry,) = real_icd.find_index_path("Abdominalgia", IndexSource.INDEX)
    (xref,) = real_icd.resolve_xref(entry.id)
    assert xref.exact and real_icd.index_entry(xref.entry_id).path == "Pain, abdominal"


def test_external_cause_index(real_icd: IcdResources) -> None:
    paths = [e.path for e in real_icd.entries_for_code("W59.22XA")]
    assert any("turtle" in p.lower() for p in paths)


def test_guideline_sections(real_icd: IcdResources) -> None:
    excludes1 = real_icd.guideline("I.A.12.a")
    assert excludes1.title == "a. Excludes1"
    assert "NOT CODED" in excludes1.text and "HERE!" in excludes1.text
    neoplasms = real_icd.guideline_for_chapter(2)
    assert neoplasms.id == "I.C.2" and "Chapter 2: Neoplasms" in neoplasms.title
    assert "Admission/Encounter for treatment of primary site" in neoplasms.text  # I.C.2.a
    assert "Chapter 3:" not in neoplasms.text
    with pytest.raises(GuidelinesUnavailableError):
        real_icd.guideline("IX.Z")


def test_a_block_named_like_its_code_does_not_repeat_notes(real_icd: IcdResources) -> None:
    notes = [(n.kind, n.text) for n in real_icd.notes_for("Z66")]
    assert len(notes) == len(set(notes))


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("O32.1XX", "billable but for the omitted 7th character"),  # O32.1XX0: 7th char "0"
        ("W19.XXX", "billable but for the omitted 7th character"),
        ("S72.001", "billable but for the omitted 7th character"),
        ("E11.22", "billable"),
        ("E11", "in the release but not billable (a category or subcategory)"),
        ("E11.XXX", "not in the release"),
    ],
)
def test_gold_status_knows_every_seventh_character(real_icd, code: str, status: str) -> None:
    from evals.gold import gold_status

    assert gold_status(real_icd, code) == status


def test_seventh_characters_a_note_withholds_are_not_offered(real_icd) -> None:
    # S06: "7th characters D and S do not apply to codes ... with 6th character 7 - death".
    assert [c.char for c in real_icd.seventh_characters("S06.5X7")] == ["A"]
    assert [c.char for c in real_icd.seventh_characters("S06.5X1")] == ["A", "D", "S"]


def test_expansion_ranks_the_initial_encounter_first_without_function_words(real_icd) -> None:
    from graph.nodes.index_navigator import candidates_from
    from graph.schemas import Finding, Span
    from icd_resources import IndexSource
    from tools.index_search import HitCode, SearchHit

    text = "Admitted for right femoral neck fracture with severe pain and the inability to walk"
    finding = Finding(
        id="f1",
        term="Fracture",
        modifiers=["right", "femoral neck"],
        spans=[Span(text=text, start=0, end=len(text))],
    )
    hit = SearchHit(
        0,
        IndexSource.INDEX,
        "Fracture, femur, neck",
        "Fracture, femur, neck S72.00-",
        0.0,
        (HitCode("S72.00", "code", True),),
    )
    found, dropped = candidates_from(real_icd, hit, finding, max_expansion=3)
    codes = [c.code for c in found]
    assert "S72.001A" in codes
    assert not any(code.startswith("S72.001") and code[-1] in "DGKP" for code in codes), codes
    assert dropped and "not considered" in dropped[0].reason


def test_the_reconciler_reads_combination_codes_within_its_budget(real_icd) -> None:
    from tools.guideline_fetch import general_guidelines

    text = general_guidelines(real_icd, 6000)
    assert len(text) <= 6000
    assert real_icd.guideline("I.B.9").text[:40] in text  # once cut off after I.A.17
    assert real_icd.guideline("I.B.8").text[:40] in text


def test_the_validator_sees_every_excludes1_note_of_e11_22(real_icd) -> None:
    from tools.tabular_lookup import code_details

    text = code_details(real_icd, "E11.22", 2000)
    assert text.count("Excludes1:") == 8  # once 1 of 8 (cut at 400 characters)
    assert "stage of chronic kidney disease (N18.1-N18.6)" in text
