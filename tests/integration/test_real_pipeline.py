"""End to end on the real embedded model, the real release and a slice of its index.

The slice (the entries and descriptions of a few categories) and the model weights live in the
clh cache (CLH_CACHE_DIR or ~/.cache/clh): the first run on a machine builds the slice in
seconds and fetches the weights; the full index is for `make run` and the benchmarks.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from clh_llm import LLMClient, LLMSettings
from clh_llm.weights import ensure_weights, model_spec
from graph.builder import build_graph
from graph.context import Context
from graph.deps import Deps, override_deps
from icd_resources import IcdResources, ResourceSettings
from icd_resources.config import default_cache_dir
from tests.conftest import real_data_dir
from tools.index_search import IndexSearcher, SearchSettings, build_index

pytestmark = [pytest.mark.embedded_model, pytest.mark.release]
# A slice of the real index (seconds to build, not the full index's minutes): the entries and
# descriptions that lead to the codes these tests look for.
TEST_SLICE = ("E11", "I10", "I11", "I12", "N18", "Z79", "T45.5", "R07", "J18")
# The sample note's codes and the plausible wrong ones beside them (siblings, symptoms).
SAMPLE_SLICE = (
    *TEST_SLICE,
    *("E08", "E10", "E13", "J15", "J13", "L27", "L30", "R21", "T36", "Z66", "Z87", "Z91"),
    *("R05", "R06", "R50", "I25", "F17"),
)
# What a certified coder assigns for the sample note (inpatient discharge summary).
SAMPLE_CODES = {
    "J18.9",  # community-acquired pneumonia, organism unstated
    "E11.22",  # type 2 diabetes with diabetic CKD (OCG I.C.4.a, "with")
    "N18.31",  # CKD stage 3a ("use additional code" at E11.22)
    "I12.9",  # hypertension with CKD is presumed linked (OCG I.C.9.a.2)
    "Z79.4",  # long-term insulin
    "Z87.891",  # history of nicotine dependence ("quit smoking")
    "L27.0",  # drug rash, taken internally...
    "T36.1X5A",  # ...adverse effect of cephalosporins (OCG I.C.19.e.5.a)
    "Z66",  # do not resuscitate
}
# The floor: most of the sample's codes, in a list a coder can review. The generative path
# measured on this note found 2 or 3 of the 9 (recall 0.22-0.33; `make run` before scored
# decoding: E11.22, Z66, R21, and in an earlier run E11.22, I16.1, L27.0, Z66).
FLOOR_RECALL = 0.55
FLOOR_PRECISION = 0.25
NOTE = (
    "68-year-old woman seen for follow-up of essential hypertension. She also has type 2 "
    "diabetes mellitus without complications, treated with metformin. No chest pain."
)


def _real_deps(prefixes: tuple[str, ...], model: str, **llm: object) -> Deps:
    """The real release, a slice of its index (built once) and an embedded model."""
    data = real_data_dir()
    if data is None:
        pytest.skip("real release not found")
    cache = default_cache_dir()
    icd = IcdResources.load(
        ResourceSettings.resolve([data / "icd10cm", data / "guidelines"], cache)
    )
    settings = SearchSettings.resolve(code_prefixes=prefixes)
    build_index(icd, settings, cache)
    spec = model_spec(model)
    client = LLMClient.from_settings(
        LLMSettings.resolve(
            base_url="",
            embedded_model=spec.name,
            embedded_gguf=str(ensure_weights(spec, cache)),
            **llm,
        ),
        cache,
    )
    return Deps(icd, IndexSearcher.open(icd, settings, cache), client)


@pytest.fixture(scope="module")
def real_deps() -> Deps:
    return _real_deps(TEST_SLICE, "qwen2.5-coder-0.5b", max_tokens=768, embedded_ctx=8192)


def test_short_note_end_to_end(real_deps: Deps) -> None:
    with override_deps(real_deps):
        out = asyncio.run(
            build_graph().ainvoke(
                {"note": NOTE, "note_id": "e2e"},
                # the generative path: off by default on the embedded model (scored decoding)
                context=Context(top_k=5, max_candidates=10, extractor=True),
            )
        )
    result = out["result"]
    per_agent = result["accounting"]["per_agent"]
    assert per_agent["evidence_extractor"]["calls"] >= 1
    assert per_agent["evidence_extractor"]["prompt_tokens"] > 0
    for code in result["codes"]:  # whatever the small model chose is real and traceable
        assert real_deps.icd.is_billable(code["code"])
        for span in code["evidence"]:
            assert NOTE[span["start"] : span["end"]] == span["text"]
    for finding in result["findings"]:
        for span in finding["spans"]:
            assert NOTE[span["start"] : span["end"]] == span["text"]


def test_search_of_the_real_index(real_deps: Deps) -> None:
    hits = real_deps.searcher.search("essential hypertension", k=5)
    assert any("I10" in h.reachable_codes() for h in hits)
    drug = real_deps.searcher.search("adverse effect of warfarin", k=5, sources=["drug"])
    assert drug[0].path == "Warfarin, adverse effect"
    assert Path(real_deps.icd.artifact).exists()


def test_eval_of_three_codiesp_dev_notes_resumes(real_deps: Deps, tmp_path: Path) -> None:
    from evals.coders import graph_note_coder
    from evals.datasets import load
    from evals.runner import RunConfig, read_rows, run_notes, start_run
    from evals.summary import summarize_run

    data = real_data_dir()
    assert data is not None
    dataset = load("codiesp", data / "codiesp", "dev")
    dataset.docs = dataset.docs[:3]
    # Few candidates: this test checks resuming on real notes, not coding quality.
    context = Context(max_candidates=4)
    code_note = graph_note_coder(build_graph(), context, keep_result=False)

    run = tmp_path / "run"
    start_run(run, RunConfig("codiesp-dev", "graph", 1, 3, "hybrid", None, "0.5b"))
    with override_deps(real_deps):
        assert asyncio.run(run_notes(dataset, run, code_note, concurrency=1)) == 3
        first = summarize_run(read_rows(run), real_deps.icd)
        assert asyncio.run(run_notes(dataset, run, code_note, concurrency=1)) == 0
    again = summarize_run(read_rows(run), real_deps.icd)
    assert again == first
    assert first["notes"] == 3 and first["cost"]["calls_total"] >= 3


@pytest.fixture(scope="module")
def default_model_deps() -> Deps:
    """The embedded default model (1.5B) over a slice with the sample's codes and their rivals."""
    return _real_deps(SAMPLE_SLICE, "qwen2.5-coder-1.5b")


def test_the_embedded_default_codes_the_sample_above_a_floor(default_model_deps: Deps) -> None:
    from evals.metrics import micro_macro

    note = (Path(__file__).parents[2] / "clh" / "samples" / "sample_note.txt").read_text()
    with override_deps(default_model_deps):
        result = asyncio.run(build_graph().ainvoke({"note": note, "note_id": "floor"}))["result"]
    codes = [c["code"] for c in result["codes"]]
    scores = micro_macro([codes], [sorted(SAMPLE_CODES)])
    print(f"sample: {codes}; P {scores['micro_precision']:.2f} R {scores['micro_recall']:.2f}")
    assert set(result["accounting"]["per_agent"]) == {"tabular_validator"}  # verifier only
    assert scores["micro_recall"] >= FLOOR_RECALL
    assert scores["micro_precision"] >= FLOOR_PRECISION and len(codes) <= 20
