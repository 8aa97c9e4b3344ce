from pathlib import Path

import pytest

from icd_resources.errors import ReleaseFileError
from icd_resources.models import NodeKind, NoteKind
from icd_resources.tabular import parse_tabular
from tests.conftest import FIXTURE_RELEASE


@pytest.fixture(scope="module")
def tabular():
    return parse_tabular(FIXTURE_RELEASE / "mini-list.xml")


def codes_of(tabular) -> dict:
    return {c.code: c for c in tabular.codes}


def test_chapters_and_blocks(tabular) -> None:
    assert tabular.version == "2099"
    assert [(c.number, c.first, c.last) for c in tabular.chapters] == [
        (1, "A00", "A99"),
        (19, "S00", "T88"),
        (7, "H00", "H59"),
    ]
    assert [b.id for b in tabular.blocks] == ["A00-A09", "S00-S09", "T36-T50", "H53-H54"]
    assert tabular.blocks[0].first == "A00" and tabular.blocks[0].last == "A09"


def test_billable_leaves_and_categories(tabular) -> None:
    codes = codes_of(tabular)
    assert not codes["A00"].billable and codes["A00"].kind is NodeKind.CATEGORY
    assert codes["A00.0"].billable and codes["A00.0"].parent == "A00"
    assert codes["A01"].billable  # a category without subdivisions is a code
    assert codes["A00.9"].block == "A00-A09" and codes["A00.9"].chapter == 1


def test_seventh_character_inherited_with_placeholder(tabular) -> None:
    codes = codes_of(tabular)
    assert not codes["S06.0X1"].billable  # needs its 7th character
    assert {c for c in codes if c.startswith("S06.0X1")} == {
        "S06.0X1",
        "S06.0X1A",
        "S06.0X1D",
        "S06.0X1S",
    }
    extended = codes["S06.0X1A"]
    assert extended.kind is NodeKind.EXTENSION and extended.billable
    assert extended.parent == "S06.0X1"
    assert (
        extended.description
        == "Fixture concussion with brief loss of consciousness, initial encounter"
    )
    assert "S09.XXXA" in codes and codes["S09.XXXA"].parent == "S09"
    assert {"T36.0X1A", "T36.0X1D", "T36.0X5A"} <= set(codes)


def test_nearest_seventh_definition_wins(tabular) -> None:
    codes = codes_of(tabular)
    assert {"S06.1XXA", "S06.1XXB"} <= set(codes)
    assert "S06.1XXD" not in codes


def test_tabular_note_withholds_seventh_characters(tabular) -> None:
    codes = codes_of(tabular)
    assert "S06.0X7A" in codes
    assert "S06.0X7D" not in codes and "S06.0X7S" not in codes


def test_notes_keep_their_owner_and_kind(tabular) -> None:
    by_owner = {}
    for note in tabular.notes:
        by_owner.setdefault(note.owner, []).append((note.kind, note.text))
    assert (NoteKind.INCLUDES, "diseases invented for tests") in by_owner["Chapter 1"]
    assert (NoteKind.EXCLUDES2, "carrier of fixture disease (Z22.-)") in by_owner["Chapter 1"]
    assert (NoteKind.NOTES, "Chapter-level note.") in by_owner["Chapter 1"]
    assert (NoteKind.CODE_FIRST, "underlying fixture condition") in by_owner["A00-A09"]
    assert (NoteKind.INCLUSION_TERM, "Vibrio fixture infection") in by_owner["A00"]
    assert (NoteKind.EXCLUDES1, "fixture typhoid (A01.-)") in by_owner["A00"]
    assert (NoteKind.CODE_ALSO, "associated dehydration (E86.0)") in by_owner["A00.0"]
    assert by_owner["S06"][0][0] is NoteKind.SEVEN_CHR_NOTE
    kinds = {kind for kind, _ in by_owner["H54"]}
    assert kinds == {NoteKind.VISUAL_IMPAIRMENT}
    assert all("Intro" not in text for notes in by_owner.values() for _, text in notes)


def test_seventh_definitions_recorded(tabular) -> None:
    s06 = [(s.char, s.description) for s in tabular.seventh if s.owner == "S06"]
    assert s06 == [("A", "initial encounter"), ("D", "subsequent encounter"), ("S", "sequela")]


def test_truncated_tabular_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "tabular.xml"
    text = (FIXTURE_RELEASE / "mini-list.xml").read_text()
    broken.write_text(text[: len(text) // 2])
    with pytest.raises(ReleaseFileError, match=r"tabular\.xml: broken XML at line \d+"):
        parse_tabular(broken)


def test_wrong_root_is_refused() -> None:
    with pytest.raises(ReleaseFileError, match="root element is <catalog>"):
        parse_tabular(FIXTURE_RELEASE / "not-icd.xml")
