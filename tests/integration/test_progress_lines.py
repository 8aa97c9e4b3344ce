"""The progress lines of `clh code`, from the updates a real run of the graph streams."""

from __future__ import annotations

import asyncio
import re

from clh.code_cli import _stream
from graph.builder import build_graph
from graph.context import Context
from tests.graph_support import NOTE


def test_every_step_of_a_run_says_what_it_did(make_deps, capsys) -> None:
    make_deps()
    result = asyncio.run(_stream(build_graph(), NOTE, "n1", Context(), resume=False))
    lines = capsys.readouterr().err.strip().splitlines()
    steps = [re.sub(r"^\[\s*[\d.]+s\] ", "", line) for line in lines]
    nodes = {step.split(":", 1)[0] for step in steps}
    assert {"prepare_pass", "note_lanes", "index_navigator", "tabular_validator"} <= nodes
    assert all(step.split(":", 1)[1].strip() for step in steps), steps
    assert any(
        re.fullmatch(r"note_lanes: \d+ mentions?, \d+ candidates? pooled.*", s) for s in steps
    )
    assert any(re.fullmatch(r"tabular_validator: chapter \d+, .* selected", s) for s in steps)
    codes = " ".join(c["code"] for c in result["codes"])
    assert f"code_reconciler: {len(result['codes'])} final codes: {codes}" in " ".join(steps)
    assert steps[-1].startswith(f"finalize: result of {len(result['codes'])} codes")
