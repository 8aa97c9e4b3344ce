"""Checkpoints in Postgres: `clh code --checkpoint postgresql://...` resumes like SQLite."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.builder import build_graph
from graph.checkpoints import masked, postgres_checkpointer
from graph.context import Context
from tests.graph_support import NOTE, default_rules
from tests.services import ServiceMissing, free_port, postgres_server
from tests.unit.clh.test_resources_cli import clh

HAS_EXTRA = importlib.util.find_spec("langgraph.checkpoint.postgres") is not None
needs_extra = pytest.mark.skipif(
    not HAS_EXTRA, reason="the postgres extra is not installed (pip install -e '.[postgres]')"
)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    if not HAS_EXTRA:
        pytest.skip("the postgres extra is not installed (pip install -e '.[postgres]')")
    try:
        with postgres_server() as uri:
            yield uri
    except ServiceMissing as exc:
        pytest.skip(str(exc))


def test_the_password_is_masked() -> None:
    assert masked("postgresql://clh:s3cret@db:5432/runs") == "postgresql://clh:***@db:5432/runs"
    assert masked("postgresql://clh@db/runs") == "postgresql://clh@db/runs"


@needs_extra
def test_resume_from_postgres_prints_the_saved_result(make_deps, database, tmp_path) -> None:
    make_deps(default_rules())

    async def code_once() -> dict:
        async with postgres_checkpointer(database) as saver:
            graph = build_graph(checkpointer=saver)
            config = {"configurable": {"thread_id": "pg-n1"}}
            out = await graph.ainvoke({"note": NOTE, "note_id": "pg-n1"}, config, context=Context())
            return out["result"]

    saved = asyncio.run(code_once())
    assert [c["code"] for c in saved["codes"]] == ["A00.0", "T36.0X5A"]
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    args = ("code", str(note), "--checkpoint", database, "--resume", "--json")
    done = clh(*args, "--note-id", "pg-n1", cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["codes"] == saved["codes"]
    assert "already finished" in done.stderr and "Traceback" not in done.stderr
    unknown = clh(*args, "--note-id", "pg-n2", cache=tmp_path / "cache")
    assert unknown.returncode == 2
    assert "holds no run with note id 'pg-n2'" in unknown.stderr


def unreachable(tmp_path: Path) -> tuple[str, str]:
    """A URI with a password on a loopback port nothing listens on."""
    password = "s3cret-pw"
    return f"postgresql://clh:{password}@127.0.0.1:{free_port()}/runs", password


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path) -> None:
    uri, password = unreachable(tmp_path)
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    done = clh("code", str(note), "--checkpoint", uri, cache=tmp_path / "cache")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert password not in done.stderr and password not in done.stdout
    if HAS_EXTRA:
        assert "the checkpoint database postgresql://clh:***@127.0.0.1" in done.stderr
    else:
        assert "need the postgres extra" in done.stderr


def model_that_goes_away(make_deps) -> dict:
    """Install a fake model whose index navigator fails while ``state["down"]``.

    ``state["extracted"]`` lists the "Visit N." line of each note whose evidence was extracted.
    """
    from clh_llm import LLMUnavailableError
    from tests.fakes import agent_is, pick_lines

    state: dict = {"down": False, "extracted": []}

    def extractor(system: str, user: str) -> str:
        state["extracted"].append(next(line for line in user.splitlines() if "Visit" in line))
        return default_rules()[0][1](system, user)

    def navigator(system: str, user: str) -> str:
        if state["down"]:  # the model server goes away after the evidence was extracted
            raise LLMUnavailableError("the model server at http://fake/v1 failed 4 times")
        return pick_lines("Cholera, classic A00.0", "Penicillin, adverse")(system, user)

    rules = default_rules()
    rules[0] = (agent_is("evidence_extractor"), extractor)
    rules[1] = (agent_is("index_navigator"), navigator)
    make_deps(rules)
    return state


def checkpoint_store(store: str, request, tmp_path: Path) -> str:
    if store == "postgres":
        return str(request.getfixturevalue("database"))
    return str(tmp_path / "r.sqlite")


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_batch_cut_off_mid_note_resumes_from_its_checkpoint(
    store, make_deps, request, tmp_path
) -> None:
    from clh_llm import LLMUnavailableError
    from evals.batch import code_batch, load_notes

    checkpoint = checkpoint_store(store, request, tmp_path)
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(3):
        (folder / f"note{i}.txt").write_text(NOTE + f"\nVisit {i}.")
    notes = load_notes(folder)
    state = model_that_goes_away(make_deps)
    whole = asyncio.run(code_batch(notes, tmp_path / "whole", Context(), model="fake"))

    state["down"], state["extracted"] = True, []
    cut = tmp_path / "cut"
    with pytest.raises(LLMUnavailableError):
        asyncio.run(code_batch(notes, cut, Context(), model="fake", checkpoint=checkpoint))
    cut_off = list(state["extracted"])
    assert cut_off  # at least one note got as far as its evidence before the model went away
    state["down"], state["extracted"] = False, []
    resumed = asyncio.run(code_batch(notes, cut, Context(), model="fake", checkpoint=checkpoint))
    assert resumed.coded == 3
    assert resumed.csv.read_text() == whole.csv.read_text()
    # the notes cut off resumed from their checkpoint: their evidence was not extracted again
    assert not set(cut_off) & set(state["extracted"])


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_an_eval_cut_off_mid_note_resumes_from_its_checkpoint(
    store, make_deps, fixture_settings, request, tmp_path
) -> None:
    from clh_llm import LLMUnavailableError
    from evals.run import EvalOptions, run_eval

    checkpoint = checkpoint_store(store, request, tmp_path)
    data = tmp_path / "notes.jsonl"
    rows = [{"id": f"n{i}", "text": NOTE + f"\nVisit {i}.", "codes": ["A00.0"]} for i in range(3)]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    state = model_that_goes_away(make_deps)

    def evaluate(out: str, store: str | None) -> Any:
        options = EvalOptions("jsonl", data=data, out=tmp_path / out, checkpoint=store)
        return run_eval(fixture_settings, options)

    whole = evaluate("whole", None)
    state["down"], state["extracted"] = True, []
    with pytest.raises(LLMUnavailableError):
        evaluate("cut", checkpoint)
    cut_off = list(state["extracted"])
    assert cut_off
    state["down"], state["extracted"] = False, []
    resumed = evaluate("cut", checkpoint)
    assert resumed.coded == 3
    assert resumed.summary == whole.summary | {"cost": resumed.summary["cost"]}
    assert resumed.summary["all_gold"]["micro_recall"] == 1.0
    assert not set(cut_off) & set(state["extracted"])
