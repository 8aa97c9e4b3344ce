"""Layers read one way: cli -> evals -> graph -> {clh_llm, tools, icd_resources, prompts}."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What each package may import of ours; anything else is a package above it or beside it.
ALLOWED = {
    "clh": {"evals", "graph", "clh_llm", "tools", "icd_resources", "prompts"},
    "evals": {"graph", "clh_llm", "tools", "icd_resources", "prompts"},
    "graph": {"clh_llm", "tools", "icd_resources", "prompts"},
    "tools": {"icd_resources"},
    "clh_llm": set(),
    "icd_resources": set(),
    "prompts": set(),
}


def imported_packages(path: Path) -> set[str]:
    """Return our top-level packages a module imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(ALLOWED)
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_package_imports_one_above_it(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {other}"
        for path in (ROOT / package).rglob("*.py")
        for other in imported_packages(path) - ALLOWED[package] - {package}
    }
    assert not wrong, sorted(wrong)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from clh.cli import main\n")
    assert imported_packages(module) == {"clh"}


def test_the_langgraph_deployment_needs_no_cli() -> None:
    import json

    spec = json.loads((ROOT / "langgraph.json").read_text())
    (target,) = spec["graphs"].values()
    module = ROOT / (target.split(":")[0].removeprefix("./"))
    assert "clh" not in imported_packages(module)
    assert module.is_relative_to(ROOT / "graph")
