from pathlib import Path

import pytest

from icd_resources import (
    ArtifactError,
    GuidelinesUnavailableError,
    IcdResources,
    IndexSource,
    MalformedCodeError,
    NodeKind,
    NoteKind,
    ReleaseNotFoundError,
    ResourceSettings,
    UnknownCodeError,
)
from icd_resources.build import ensure_artifact


def test_lookup_accepts_any_spelling(fixture_icd: IcdResources) -> None:
    info = fixture_icd.lookup("s060x1a")
    assert info.code == "S06.0X1A" and info.kind is NodeKind.EXTENSION and info.billable


def test_unknown_and_malformed_codes_get_clear_errors(fixture_icd: IcdResources) -> None:
    with pytest.raises(UnknownCodeError) as excinfo:
        fixture_icd.lookup("A00.8")
    assert str(excinfo.value).startswith(
        "A00.8 is not in the ICD-10-CM 2099 tabular list; its nearest existing ancestor is A00"
        " (beware: partial Tabular List: 3 chapters"
    )
    with pytest.raises(MalformedCodeError):
        fixture_icd.lookup("not a code")
    assert not fixture_icd.exists("A00.8") and not fixture_icd.exists("???")
    assert fixture_icd.get("A00.8") is None


def test_hierarchy(fixture_icd: IcdResources) -> None:
    assert [a.code for a in fixture_icd.ancestors("S06.0X1A")] == [
        "S06.0X1",
        "S06.0X",
        "S06.0",
        "S06",
    ]
    assert fixture_icd.parent("A00") is None
    assert [c.code for c in fixture_icd.children("A00")] == ["A00.0", "A00.9"]
    assert [c.code for c in fixture_icd.billable_descendants("S06.0")] == [
        "S06.0X1A",
        "S06.0X1D",
        "S06.0X1S",
        "S06.0X7A",
    ]
    assert [c.code for c in fixture_icd.billable_descendants("A01")] == ["A01"]
    assert fixture_icd.is_billable("A00.0") and not fixture_icd.is_billable("S06.0X1")
    assert fixture_icd.chapter_of("T36.0X1A").number == 19
    assert fixture_icd.block_of("T36.0X1A").id == "T36-T50"


def test_notes_for_walks_up_with_origins(fixture_icd: IcdResources) -> None:
    notes = fixture_icd.notes_for("A00.0")
    origins = [(n.origin, n.kind) for n in notes]
    assert origins[0] == ("A00.0", NoteKind.CODE_ALSO)
    assert ("A00", NoteKind.EXCLUDES1) in origins
    assert ("A00-A09", NoteKind.CODE_FIRST) in origins
    assert ("Chapter 1", NoteKind.EXCLUDES2) in origins
    # most specific first: code, category, block, chapter
    order = [o for o, _ in origins]
    assert (
        order.index("A00.0")
        < order.index("A00")
        < order.index("A00-A09")
        < order.index("Chapter 1")
    )
    excludes = fixture_icd.notes_for("A00.0", kinds={NoteKind.EXCLUDES1})
    assert {n.origin for n in excludes} == {"A00", "Chapter 1"}


def test_seventh_characters_nearest_definition(fixture_icd: IcdResources) -> None:
    assert [s.char for s in fixture_icd.seventh_characters("S06.0X1")] == ["A", "D", "S"]
    assert [s.char for s in fixture_icd.seventh_characters("S06.1XXB")] == ["A", "B"]
    assert fixture_icd.seventh_characters("A00.0") == []


def test_index_entries_codes_and_xrefs(fixture_icd: IcdResources) -> None:
    (ache,) = fixture_icd.find_index_path("ache nec", IndexSource.INDEX)
    (target,) = fixture_icd.resolve_xref(ache.id)
    assert target.kind == "see" and target.exact
    assert fixture_icd.index_entry(target.entry_id).path == "Pain, abdominal"
    drug_rows = list(fixture_icd.index_entries(IndexSource.DRUG))
    assert {e.source for e in drug_rows} == {IndexSource.DRUG}
    leading = [e.path for e in fixture_icd.entries_for_code("T36.0X1A")]
    assert "Penicillin, poisoning accidental (unintentional)" in leading
    assert "Cholera, poisoning" in leading  # subcat T36.0 is an incomplete ancestor
    (alz,) = fixture_icd.find_index_path("Alzheimer's disease")
    assert alz.display == "Alzheimer's disease (senile) A00.9 [A02]"
    assert [c.path for c in fixture_icd.index_children(alz.id)] == []


def test_missing_guidelines_are_reported_not_crashed(fixture_icd: IcdResources) -> None:
    assert not fixture_icd.has_guidelines
    with pytest.raises(GuidelinesUnavailableError, match="no guidelines PDF was found"):
        fixture_icd.guideline_for_chapter(1)
    assert fixture_icd.lookup("A00.0").description  # the rest still works


def test_stats_counts(fixture_icd: IcdResources) -> None:
    stats = fixture_icd.stats()
    assert stats["tabular"]["chapters"] == 3
    assert stats["index"]["entries_by_source"]["eindex"] == 3
    assert stats["guidelines"]["sections"] == 0
    assert any(s["path"].endswith("not-icd.xml") for s in stats["skipped"])


def test_artifact_is_cached_and_rebuilt_when_an_input_changes(
    fixture_settings: ResourceSettings, fixture_dir: Path
) -> None:
    first, built = ensure_artifact(fixture_settings)
    assert built
    again, built_again = ensure_artifact(fixture_settings)
    assert again == first and not built_again
    eindex = fixture_dir / "mini-external.xml"
    eindex.write_text(eindex.read_text().replace("turtle", "tortoise"))
    changed, rebuilt = ensure_artifact(fixture_settings)
    assert rebuilt and changed != first
    assert IcdResources(changed).find_index_path("Struck by, tortoise")


def test_truncated_optional_file_is_a_recorded_problem(
    fixture_settings: ResourceSettings, fixture_dir: Path
) -> None:
    drug = fixture_dir / "mini-substances.xml"
    text = drug.read_text()
    drug.write_text(text[: len(text) * 2 // 3])  # cut inside the first <mainTerm>
    icd = IcdResources.load(fixture_settings)
    (problem,) = [p for p in icd.problems if p["kind"] != "tabular"]  # the fixture is partial
    assert problem["kind"] == "drug" and "mini-substances.xml: broken XML" in problem["message"]
    assert list(icd.index_entries(IndexSource.DRUG)) == []
    assert icd.lookup("A00.0").billable


def test_an_index_cut_before_z_is_a_recorded_problem(
    fixture_settings: ResourceSettings, fixture_dir: Path
) -> None:
    index = fixture_dir / "mini-index.xml"
    text = index.read_text()
    cut = text.index("<letter>", text.index("<letter>") + 1)
    index.write_text(text[:cut] + "</ICD10CM.index>\n")  # well-formed, letters after A gone
    icd = IcdResources.load(fixture_settings)
    (problem,) = [p for p in icd.problems if p["kind"] != "tabular"]
    assert problem["kind"] == "index" and "partial Alphabetic Index" in problem["message"]
    assert list(icd.index_entries(IndexSource.INDEX))  # what was read is kept


def test_main_terms_are_found_by_their_first_words(fixture_icd: IcdResources) -> None:
    (entry,) = fixture_icd.find_main_terms("abdomen")
    assert entry.level == 0 and entry.path == "Abdomen, abdominal"
    assert fixture_icd.find_main_terms("abdo") == []


def test_no_tabular_is_a_clear_error(tmp_path: Path) -> None:
    settings = ResourceSettings.resolve([tmp_path / "empty"], tmp_path / "cache")
    with pytest.raises(ReleaseNotFoundError, match="no ICD-10-CM Tabular List XML"):
        IcdResources.load(settings)


def test_corrupt_artifact_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "artifact.sqlite"
    bogus.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(ArtifactError, match="clh resources build"):
        IcdResources(bogus)
    with pytest.raises(ArtifactError, match="does not exist"):
        IcdResources(tmp_path / "missing.sqlite")


def test_needs_seventh_character(fixture_icd: IcdResources) -> None:
    assert fixture_icd.needs_seventh_character("S06.0X1")
    assert fixture_icd.needs_seventh_character("S09")
    assert not fixture_icd.needs_seventh_character("S06.0")  # children are subcategories
    assert not fixture_icd.needs_seventh_character("A00.0")
