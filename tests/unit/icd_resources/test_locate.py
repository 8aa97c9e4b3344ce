from pathlib import Path

from icd_resources.locate import discover
from icd_resources.models import FileKind


def test_files_are_recognised_by_content_not_name(fixture_dir: Path) -> None:
    (fixture_dir / "mini-list.xml").rename(fixture_dir / "whatever-name.xml")
    found = discover([fixture_dir])
    assert {k: Path(f.path).name for k, f in found.files.items()} == {
        FileKind.TABULAR: "whatever-name.xml",
        FileKind.INDEX: "mini-index.xml",
        FileKind.EINDEX: "mini-external.xml",
        FileKind.DRUG: "mini-substances.xml",
        FileKind.NEOPLASM: "mini-tumours.xml",
    }
    assert found.files[FileKind.TABULAR].version == "2099"
    reasons = dict(found.skipped)
    assert "is not an ICD-10-CM file" in reasons[str(fixture_dir / "not-icd.xml")]


def test_newer_version_wins_and_the_other_is_reported(fixture_dir: Path) -> None:
    old = (fixture_dir / "mini-list.xml").read_text().replace("<version>2099", "<version>2001")
    (fixture_dir / "sub").mkdir()
    (fixture_dir / "sub" / "old-tabular.xml").write_text(old)
    found = discover([fixture_dir])
    assert found.files[FileKind.TABULAR].version == "2099"
    assert any("old-tabular.xml" in path for path, _ in found.skipped)


def test_garbage_pdf_and_addenda_are_skipped_with_reasons(fixture_dir: Path) -> None:
    (fixture_dir / "guidelines.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    addenda = (
        (fixture_dir / "mini-index.xml")
        .read_text()
        .replace("<ICD10CM.index>", '<ICD10CM.index isAddenda="true">')
    )
    (fixture_dir / "addenda.xml").write_text(addenda)
    found = discover([fixture_dir])
    reasons = dict(found.skipped)
    assert "not a readable PDF" in reasons[str(fixture_dir / "guidelines.pdf")]
    assert "addenda" in reasons[str(fixture_dir / "addenda.xml")]
    assert FileKind.GUIDELINES not in found.files
