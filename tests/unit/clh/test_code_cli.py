from pathlib import Path

import pytest

from tests.unit.clh.test_resources_cli import clh


def test_non_utf8_note_is_a_clear_error(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_bytes("Patient with fièvre".encode("latin-1"))
    result = clh("code", str(note), cache=tmp_path)
    assert result.returncode == 2
    assert "is not valid utf-8 (byte 0xe8 at position 15)" in result.stderr
    assert "--encoding" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("content", [b"", b"   \n\t  "])
def test_empty_note_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    note = tmp_path / "empty.txt"
    note.write_bytes(content)
    result = clh("code", str(note), cache=tmp_path)
    assert result.returncode == 2
    assert "the note is empty" in result.stderr and "Traceback" not in result.stderr


def test_missing_note_file(tmp_path: Path) -> None:
    result = clh("code", str(tmp_path / "nope.txt"), cache=tmp_path)
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_check_prints_the_corrected_codes_and_the_rules_as_json(tmp_path: Path) -> None:
    import json

    result = clh("check", "a000", "A00.0", "--json", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["codes"] == ["A00.0"]
    (check,) = out["checks"]
    assert check["rule"] == "Report a code once (OCG I.B.12)"
    assert check["action"] == "removed duplicate A00.0"


def test_check_of_a_malformed_code_is_one_clear_line(tmp_path: Path) -> None:
    result = clh("check", "A00.0", "hello", cache=tmp_path)
    assert result.returncode == 2
    assert "'hello' is not a well-formed ICD-10-CM code" in result.stderr
    assert "Traceback" not in result.stderr


def test_explain_plan_prints_what_the_run_would_do_and_codes_nothing(tmp_path: Path) -> None:
    server = ("--base-url", "http://127.0.0.1:9/v1", "--model", "m")  # nothing listens there
    result = clh(
        "code", "sample", "--explain-plan", *server, "--set", "pool_ranker=fused", cache=tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "extractor: True" in lines and "lanes: mention, walk" in lines
    assert "tabular_validator=thinking" in result.stdout
    assert "starting the model" not in result.stderr
    result = clh("code", "sample", "--explain-plan", "--set", "calibration=none", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "extractor: False" in lines and "lanes: mention, walk, sentence" in lines
    assert "threshold_source: the run's verify_threshold" in lines
