"""Render for the terminal: a coding result as markdown, the release statistics as text."""

from __future__ import annotations

import html
from typing import Any


def _text(value: Any) -> str:
    """Escape text from the note or the model: shown as text, never run as HTML."""
    return html.escape(str(value), quote=False)


def result_markdown(result: dict[str, Any]) -> str:
    """Return the codes with their evidence, index paths and notes, then what was dropped."""
    lines = [
        f"# Codes for {_text(result['note_id'])} ({result['passes']} pass"
        f"{'es' if result['passes'] != 1 else ''})",
        "",
    ]
    if not result["codes"]:
        lines.append("No codeable content was found.")
    for code in result["codes"]:
        lines.append(f"## {code['rank']}. {code['code']} {code['description']}")
        for span in code["evidence"]:
            lines.append(f'- Evidence [{span["start"]}:{span["end"]}]: "{_text(span["text"])}"')
        for path in code["index_paths"]:
            lines.append(f"- Index: {_text(path)}")
        for note in code["tabular_notes"]:
            lines.append(f"- Tabular: {_text(note)}")
        if code["rationale"]:
            short = " ".join(code["rationale"].split())
            lines.append(f"- Rationale: {_text(short[:400])}{'...' if len(short) > 400 else ''}")
        lines.append("")
    if result["checks"]:
        lines += ["## Checks applied", ""]
        for check in result["checks"]:
            lines.append(f"- {check['rule']}: {check['action']} {_text(check['detail'])}".rstrip())
        lines.append("")
    if result["failures"]:
        lines += ["## Failures (recorded, the rest was coded)", ""]
        for failure in result["failures"]:
            after = " - recovered after a re-ask" if failure.get("recovered") else ""
            lines.append(
                f"- {failure['agent']} ({_text(failure['scope'])}){after}: "
                f"{_text(failure['reason'])}"
            )
        lines.append("")
    if result["rejected"]:
        lines += ["## Considered and rejected", ""]
        for item in result["rejected"]:
            lines.append(f"- {item['step']}: {_text(item['item'])}: {_text(item['reason'][:300])}")
        lines.append("")
    return "\n".join(lines + _accounting(result["accounting"]))


def _accounting(accounting: dict[str, Any]) -> list[str]:
    lines = [
        "## Accounting",
        "",
        "| agent | calls | failed | prompt tokens | completion tokens | cached | model s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [*accounting["per_agent"].items(), ("total", accounting["total"])]
    for agent, row in rows:
        latency = row.get("latency_s")  # absent from results stored by an eval (timings.jsonl)
        lines.append(
            f"| {agent} | {row['calls']} | {row['failed_calls']} | {row['prompt_tokens']} | "
            f"{row['completion_tokens']} | {row['cached_tokens']} | "
            f"{'-' if latency is None else f'{latency:.1f}'} |"
        )
    if "wall_seconds" in accounting:
        lines += [
            "",
            f"Wall time {accounting['wall_seconds']:.1f} s. Model seconds add up the requests "
            "of parallel branches, so their total can exceed the wall time.",
        ]
    return lines


def stats_text(data: dict[str, Any]) -> str:
    """Render ``IcdResources.stats()`` as aligned text."""
    lines = [
        f"ICD-10-CM release {data['release']}  (artifact built {data['built_at']} in "
        f"{data['build_seconds']:.1f} s)",
        "",
        "Files:",
    ]
    for file in data["files"]:
        lines.append(f"  {file['kind']:<11} v{file['version'] or '?':<5} {file['path']}")
    for skipped in data["skipped"]:
        lines.append(f"  skipped     {skipped['path']}: {skipped['reason']}")
    for problem in data["problems"]:
        lines.append(f"  PROBLEM     {problem['kind']}: {problem['message']}")
    tab = data["tabular"]
    lines += [
        "",
        "Tabular List:",
        f"  chapters {tab['chapters']}, blocks {tab['blocks']}, billable codes {tab['billable']}",
    ]
    lines.append(
        "  codes: " + ", ".join(f"{k} {v}" for k, v in sorted(tab["codes_by_kind"].items()))
    )
    lines.append(
        "  notes: " + ", ".join(f"{k} {v}" for k, v in sorted(tab["notes_by_kind"].items()))
    )
    lines.append(f"  7th-character definitions: {tab['seventh_character_definitions']}")
    idx = data["index"]
    lines += ["", "Alphabetic Index:"]
    for source, count in sorted(idx["entries_by_source"].items()):
        lines.append(
            f"  {source:<9} entries {count:>6}, codes {idx['codes_by_source'].get(source, 0):>6}"
        )
    lines.append(
        "  code roles: " + ", ".join(f"{k} {v}" for k, v in sorted(idx["code_roles"].items()))
    )
    lines.append(
        f"  incomplete codes {idx['incomplete_codes']}, nemod {idx['nemod']}, "
        f"see {idx['see']}, see also {idx['see_also']}"
    )
    lines.append(
        f"  cross-references resolved exactly {idx['xrefs_resolved_exactly']}, partly "
        f"{idx['xrefs_resolved_partly']}, generic ('see condition') {idx['xrefs_generic']}"
    )
    gl = data["guidelines"]
    lines += [
        "",
        f"Guidelines: {gl['sections']} sections, {gl['chapters_mapped']} chapters mapped to I.C.N"
        if gl["sections"]
        else "Guidelines: not available",
    ]
    return "\n".join(lines)
