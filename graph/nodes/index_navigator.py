"""index_navigator: look one finding up in the Alphabetic Index and select the entries that fit."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context
from graph.names import Node
from graph.nodes.kit import AgentRun
from graph.schemas import Candidate, Finding, Rejected
from graph.state import FindingTask
from icd_resources import IcdResources
from tools.candidate_pool import complete_code
from tools.index_search import EmptyQueryError, SearchHit, hit_line
from tools.words import plain_words


def candidates_from(
    icd: IcdResources, hit: SearchHit, finding: Finding, max_expansion: int
) -> tuple[list[Candidate], list[Rejected]]:
    """Turn a selected entry into billable candidates; incomplete codes are expanded.

    An expansion larger than ``max_expansion`` keeps the codes whose descriptions share most
    words with the finding, and records how many were left out.
    """
    found: list[Candidate] = []
    rejected: list[Rejected] = []
    sources = [(c.code, "index") for c in hit.codes]
    sources += [
        (c.code, f"see {x.target_path}") for x in hit.xrefs if x.kind == "see" for c in x.codes
    ]
    context_words = plain_words(
        " ".join([finding.term, *finding.modifiers, *(s.text for s in finding.spans)])
    )
    for code, via in sources:
        leaves, total = complete_code(icd, code, context_words, max_expansion)
        if total == 0:
            rejected.append(
                Rejected(
                    step=Node.INDEX_NAVIGATOR,
                    item=code,
                    reason=f"index code {code} is not in the {icd.release} tabular list "
                    "(index/tabular version skew)",
                )
            )
            continue
        if total > 1 or leaves[0].code != code:
            via = f"{via}, expanded from {code}-"
        if total > len(leaves):
            # Most words in common first; among equals, tabular order, which puts the
            # initial encounter (7th character A) first when the note states none.
            rejected.append(
                Rejected(
                    step=Node.INDEX_NAVIGATOR,
                    item=f"{code}-",
                    reason=f"{total - len(leaves)} of {total} billable codes "
                    f"under {code} not considered (fewest words in common with the finding)",
                )
            )
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
    run = await AgentRun.start(Node.INDEX_NAVIGATOR, runtime, task)
    finding = task["finding"]
    context = run.context
    try:
        hits = run.deps.searcher.search(
            finding.query, k=run.plan.navigator_k, mode=context.search_mode
        )
    except EmptyQueryError as exc:
        run.reject(finding.term, f"not searched: {exc}")
        return run.finish()
    if not hits:
        run.reject(finding.term, "the index search returned nothing")
        return run.finish()
    shown = sorted(
        {c.code for h in hits for c in h.codes}
        | {c.code for h in hits for x in h.xrefs for c in x.codes}
    )
    messages = run.render(
        note=task.get("note", ""),
        scratchpad=task.get("scratchpad", ""),
        finding=finding,
        evidence=" / ".join(s.text for s in finding.spans),
        entries=[hit_line(h) for h in hits],
    )
    outcome = await run.deps.llm.ask_ids(
        run.agent, messages, range(1, len(hits) + 1), multiple=True, note_id=run.note_id
    )
    if not run.record(outcome, f"finding {finding.id} ({finding.term})"):
        return run.finish(shown=shown)
    chosen = set(outcome.value)
    candidates: list[Candidate] = []
    for number, hit in enumerate(hits, start=1):
        if number in chosen:
            found, dropped = candidates_from(run.deps.icd, hit, finding, context.max_expansion)
            candidates += found
            run.rejected += dropped
    not_chosen = [h.display for n, h in enumerate(hits, start=1) if n not in chosen]
    if not_chosen:
        run.reject(finding.term, "index entries not selected: " + " | ".join(not_chosen))
    return run.finish(shown=shown, candidates=candidates)
