"""index_navigator: look one finding up in the Alphabetic Index and select the entries that fit."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context, get_context
from graph.deps import get_deps
from graph.nodes.common import call_records, failure, timing
from graph.schemas import Candidate, Finding
from graph.state import FindingTask
from icd_resources import IcdResources
from llm import AnswerFailure, Decoding
from prompts import render_prompt
from tools.index_search import SearchHit, hit_line

AGENT = "index_navigator"
_WORD_RE = re.compile(r"[a-z0-9]{3,}")


def words(text: str) -> set[str]:
    """Return the lower-case words of a text (3+ characters)."""
    return set(_WORD_RE.findall(text.lower()))


def candidates_from(
    icd: IcdResources, hit: SearchHit, finding: Finding, max_expansion: int
) -> tuple[list[Candidate], list[dict[str, Any]]]:
    """Turn a selected entry into billable candidates; incomplete codes are expanded.

    An expansion larger than ``max_expansion`` keeps the codes whose descriptions share most
    words with the finding, and records how many were left out.
    """
    found: list[Candidate] = []
    rejected: list[dict[str, Any]] = []
    sources = [(c.code, "index") for c in hit.codes]
    sources += [
        (c.code, f"see {x.target_path}") for x in hit.xrefs if x.kind == "see" for c in x.codes
    ]
    context_words = words(
        " ".join([finding.term, *finding.modifiers, *(s.text for s in finding.spans)])
    )
    for code, via in sources:
        info = icd.get(code)
        if info is None:
            rejected.append(
                {
                    "step": AGENT,
                    "item": code,
                    "reason": f"index code {code} is not "
                    f"in the {icd.release} tabular list (index/tabular version skew)",
                }
            )
            continue
        if info.billable:
            leaves = [info]
        else:
            leaves = icd.billable_descendants(code)
            via = f"{via}, expanded from {code}-"
            if len(leaves) > max_expansion:
                ranked = sorted(leaves, key=lambda c: -len(words(c.description) & context_words))
                rejected.append(
                    {
                        "step": AGENT,
                        "item": f"{code}-",
                        "reason": (
                            f"{len(leaves) - max_expansion} of {len(leaves)} billable codes under "
                            f"{code} not considered (fewest words in common with the finding)"
                        ),
                    }
                )
                kept = {c.code for c in ranked[:max_expansion]}
                leaves = [c for c in leaves if c.code in kept]
        for leaf in leaves:
            found.append(
                Candidate(
                    code=leaf.code,
                    description=leaf.description,
                    chapter=leaf.chapter,
                    finding_id=finding.id,
                    index_path=hit.display,
                    via=via,
                    index_code=code,
                )
            )
    return found, rejected


async def index_navigator(task: FindingTask, runtime: Runtime[Context]) -> dict[str, Any]:
    """Search the index for one finding and let the model select the entries that fit."""
    started = time.perf_counter()
    context = get_context(runtime)
    deps = await asyncio.to_thread(get_deps, context)  # first use loads models: off the loop
    finding = task["finding"]
    update: dict[str, Any] = {"timings": []}
    hits = [
        h for h in deps.searcher.search(finding.query, k=context.top_k, mode=context.search_mode)
    ]
    if not hits:
        update["rejected"] = [
            {"step": AGENT, "item": finding.term, "reason": "the index search returned nothing"}
        ]
        update["timings"] = [timing(AGENT, started, task["pass_index"])]
        return update
    update["shown"] = sorted(
        {c.code for h in hits for c in h.codes}
        | {c.code for h in hits for x in h.xrefs for c in x.codes}
    )
    structured = deps.llm.decoding_for(AGENT) is Decoding.STRUCTURED
    messages = render_prompt(
        AGENT,
        context.prompt_versions.get(AGENT, "v1"),
        note=task.get("note", ""),
        scratchpad=task.get("scratchpad", ""),
        finding=finding,
        evidence=" / ".join(s.text for s in finding.spans),
        entries=[hit_line(h) for h in hits],
        structured=structured,
    )
    outcome = await deps.llm.ask_ids(
        AGENT, messages, range(1, len(hits) + 1), multiple=True, note_id=task["note_id"]
    )
    update["calls"] = call_records(outcome)
    update["timings"] = [timing(AGENT, started, task["pass_index"])]
    if isinstance(outcome, AnswerFailure):
        update["failures"] = [failure(AGENT, f"finding {finding.id} ({finding.term})", outcome)]
        return update
    chosen = set(outcome.value)
    candidates: list[Candidate] = []
    rejected: list[dict[str, Any]] = []
    for number, hit in enumerate(hits, start=1):
        if number in chosen:
            found, dropped = candidates_from(deps.icd, hit, finding, context.max_expansion)
            candidates += found
            rejected += dropped
    not_chosen = [h.display for n, h in enumerate(hits, start=1) if n not in chosen]
    if not_chosen:
        rejected.append(
            {
                "step": AGENT,
                "item": finding.term,
                "reason": "index entries not selected: " + " | ".join(not_chosen),
            }
        )
    update["candidates"] = candidates
    update["rejected"] = rejected
    return update
