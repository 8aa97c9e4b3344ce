from icd_resources.guidelines import _split


def test_split_by_outline_assigns_ids_text_and_chapters() -> None:
    pages = [
        "Fixture Guidelines\nIntro text.\n",
        "Section I. Conventions\nA. Conventions for the ICD-10-CM\nConventions text.\n"
        "12. Excludes Notes\na. Excludes1\nA type 1 Excludes note is a pure excludes.\n",
        "C. Chapter-Specific Coding Guidelines\n1. Chapter 1: Certain Infectious and\n"
        "Parasitic Diseases (A00-B99)\nChapter one text.\nSection II. Selection of Principal "
        "Diagnosis\nPrincipal text.\n",
    ]
    outline = [
        (0, 0, "Fixture Guidelines"),
        (0, 1, "Section I. Conventions"),
        (1, 1, "A. Conventions for the ICD-10-CM"),
        (2, 1, "12. Excludes Notes"),
        (3, 1, "a. Excludes1"),
        (1, 2, "C. Chapter-Specific Coding Guidelines"),
        (2, 2, "1. Chapter 1: Certain Infectious and Parasitic Diseases (A00-B99)"),
        (0, 2, "Section II. Selection of Principal Diagnosis"),
    ]
    sections = {s.id: s for s in _split(pages, outline)}
    assert list(sections) == ["intro", "I", "I.A", "I.A.12", "I.A.12.a", "I.C", "I.C.1", "II"]
    assert sections["I.A.12.a"].text == "a. Excludes1\nA type 1 Excludes note is a pure excludes."
    assert sections["I.A.12.a"].parent == "I.A.12"
    assert sections["I.C.1"].chapter == 1 and sections["I.C"].chapter is None
    assert "Chapter one text." in sections["I.C.1"].text
    assert "Principal" not in sections["I.C.1"].text  # a heading ends the section before it
    assert sections["I"].end_seq == sections["I.C.1"].end_seq == 6
