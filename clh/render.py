"""Render a coding result as markdown for a human coder to review."""

from __future__ import annotations

from typing import Any


def result_markdown(result: dict[str, Any]) -> str:
    """Return the codes with their evidence, index paths and notes, then what was dropped."""
    lines = [
        f"# Codes for {result['note_id']} ({result['passes']} pass"
        f"{'es' if result['passes'] != 1 else ''})",
        "",
    ]
    if not result["codes"]:
        lines.append("No codeable content was found.")
    for code in result["codes"]:
        lines.append(f"## {code['rank']}. {code['code']} {code['description']}")
        for span in code["evidence"]:
            lines.append(f'- Evidence [{span["start"]}:{span["end"]}]: "{span["text"]}"')
        for path in code["index_paths"]:
            lines.append(f"- Index: {path}")
        for note in code["tabular_notes"]:
            lines.append(f"- Tabular: {note}")
        if code["rationale"]:
            short = " ".join(code["rationale"].split())
            lines.append(f"- Rationale: {short[:400]}{'...' if len(short) > 400 else ''}")
        lines.append("")
    if result["checks"]:
        lines += ["## Checks applied", ""]
        for check in result["checks"]:
            lines.append(f"- {check['rule']}: {check['action']} {check['detail']}".rstrip())
        lines.append("")
    if result["failures"]:
        lines += ["## Failures (recorded, the rest was coded)", ""]
        for failure in result["failures"]:
            lines.append(f"- {failure['agent']} ({failure['scope']}): {failure['reason']}")
        lines.append("")
    if result["rejected"]:
        lines += ["## Considered and rejected", ""]
        for item in result["rejected"]:
            lines.append(f"- {item['step']}: {item['item']}: {item['reason'][:300]}")
        lines.append("")
    lines += [
        "## Accounting",
        "",
        "| agent | calls | prompt tokens | completion tokens | cached | seconds |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    accounting = result["accounting"]
    seconds = accounting.get("seconds_per_agent", {})
    for agent, row in accounting["per_agent"].items():
        lines.append(
            f"| {agent} | {row['calls']} | {row['prompt_tokens']} | "
            f"{row['completion_tokens']} | {row['cached_tokens']} | "
            f"{seconds.get(agent, 0):.1f} |"
        )
    total = accounting["total"]
    lines.append(
        f"| total | {total['calls']} | {total['prompt_tokens']} | "
        f"{total['completion_tokens']} | {total['cached_tokens']} | "
        f"{sum(seconds.values()):.1f} |"
    )
    return "\n".join(lines)
