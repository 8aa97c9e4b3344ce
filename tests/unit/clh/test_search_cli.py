from pathlib import Path

from tests.unit.clh.test_resources_cli import clh


def test_index_build_then_search(tmp_path: Path) -> None:
    built = clh("index", "build", cache=tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built ")
    result = clh("search", "adverse effect of penicillin", "-k", "3", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(" 1. [drug] Penicillin, adverse effect")


def test_search_without_index_says_build(tmp_path: Path) -> None:
    result = clh("search", "cholera", cache=tmp_path)
    assert result.returncode == 2
    assert "run `clh index build`" in result.stderr and "Traceback" not in result.stderr
