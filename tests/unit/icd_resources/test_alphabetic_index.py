import pytest

from icd_resources.alphabetic_index import parse_index
from icd_resources.models import IndexCode, IndexSource
from tests.conftest import FIXTURE_RELEASE


@pytest.fixture(scope="module")
def index():
    return parse_index(FIXTURE_RELEASE / "mini-index.xml", IndexSource.INDEX, start_id=1)


def by_path(data) -> dict:
    return {e.path: e for e in data.entries}


def test_paths_levels_and_ids(index) -> None:
    entries = by_path(index)
    severe = entries["Cholera, classic, with dehydration, severe"]
    assert severe.level == 3
    assert entries["Cholera, classic, with dehydration"].id == severe.parent_id
    assert [e.id for e in index.entries] == list(range(1, len(index.entries) + 1))


def test_nemod_is_split_from_title_and_trailing_words_kept(index) -> None:
    ache = by_path(index)["Ache NEC"]
    assert ache.title == "Ache NEC" and ache.nemod == "(s)"
    assert ache.see == "Pain, abdominal"


def test_manif_code_and_incomplete_codes(index) -> None:
    entries = by_path(index)
    assert entries["Alzheimer's disease"].codes == (
        IndexCode("A00.9", "code", False),
        IndexCode("A02", "manif", False),
    )
    assert entries["Cholera"].codes == (IndexCode("A00", "code", True),)


def test_seecat_subcat_warning_and_diff(index) -> None:
    entries = by_path(index)
    assert entries["Cholera, head injury"].codes == (IndexCode("S06", "seecat", True),)
    assert entries["Cholera, poisoning"].codes == (IndexCode("T36.0", "subcat", True),)
    assert entries["Cholera, classic, with dehydration, severe"].warning == "Fixture warning text"
    assert entries["Poisoning"].see == "Table of Drugs and Chemicals, by drug"
    assert entries["Abdomen, abdominal"].see_also == "condition"


def test_drug_table_cells_become_entries_with_column_in_path() -> None:
    drug = parse_index(FIXTURE_RELEASE / "mini-substances.xml", IndexSource.DRUG, start_id=100)
    entries = by_path(drug)
    accidental = entries["Penicillin, poisoning accidental (unintentional)"]
    assert accidental.codes == (
        IndexCode("T36.0X1", "Poisoning Accidental (unintentional)", False),
    )
    assert accidental.column == "Poisoning Accidental (unintentional)"
    assert entries["Penicillin, adverse effect"].codes[0].code == "T36.0X5"
    assert entries["Penicillin, underdosing"].codes[0].incomplete
    assert not any("intentional self-harm" in p for p in entries)  # "--" cells carry no code
    assert entries["Penicillin"].nemod == "(any)"


def test_neoplasm_manif_text_and_cells() -> None:
    neo = parse_index(FIXTURE_RELEASE / "mini-tumours.xml", IndexSource.NEOPLASM, start_id=1)
    entries = by_path(neo)
    abdomen = entries["Neoplasm, neoplastic, abdomen, abdominal"]
    assert abdomen.manif_text == "ventral surface text, not a code" and abdomen.codes == ()
    assert (
        entries["Neoplasm, neoplastic, abdomen, abdominal, malignant primary"].codes[0].code
        == "A00.0"
    )
    secondary = entries["Neoplasm, neoplastic, abdomen, abdominal, malignant secondary"]
    assert secondary.codes == (IndexCode("A00", "Malignant Secondary", True),)
    assert "Neoplasm, neoplastic, abdomen, abdominal, ca in situ" not in entries
