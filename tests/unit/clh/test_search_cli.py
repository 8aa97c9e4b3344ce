from pathlib import Path

from tests.unit.clh.test_resources_cli import clh


def test_index_build_then_search(tmp_path: Path) -> None:
    built = clh("index", "build", cache=tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built ")
    result = clh("search", "adverse effect of penicillin", "-k", "3", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "T36.0X5" in lines[0]  # the drug cell or the code's own description
    assert any(" [drug] Penicillin, adverse effect" in line for line in lines)


def test_search_without_index_says_build(tmp_path: Path) -> None:
    result = clh("search", "cholera", cache=tmp_path)
    assert result.returncode == 2
    assert "run `clh index build`" in result.stderr and "Traceback" not in result.stderr
