"""No function outside tests is over 60 lines (decorators aside, docstring and signature in)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("clh", "clh_llm", "evals", "graph", "tools", "icd_resources", "prompts")
MAX_LINES = 60


def long_functions(source: str, name: str, max_lines: int = MAX_LINES) -> list[str]:
    """Return ``name:function (n lines)`` for each function of a module over ``max_lines``.

    Nested functions and methods count on their own; a module-level table is no function.
    """
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > max_lines:
                found.append(f"{name}:{node.name} ({lines} lines)")
    return found


def test_long_functions_finds_a_long_method_and_passes_a_long_table() -> None:
    body = "".join(f"        x{i} = {i}\n" for i in range(59))
    table = "".join(f"    {i},\n" for i in range(80))
    source = f"class A:\n    def long(self):\n{body}        return 0\n\nRULES = [\n{table}]\n"
    assert long_functions(source, "m.py") == ["m.py:long (61 lines)"]
    assert long_functions(source, "m.py", max_lines=61) == []


def test_no_function_is_over_60_lines() -> None:
    offenders = [
        offender
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for offender in long_functions(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert offenders == [], "split these into helpers with one job each:\n" + "\n".join(offenders)
