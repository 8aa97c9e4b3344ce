"""``clh check``: run every deterministic coding rule on a code list a coder typed."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from clh.resources_cli import load_resources
from tools.code_checks import Action, CheckPolicy, Setting, run_checks


def check(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(help="ICD-10-CM codes in the order to bill.")],
    setting: Annotated[
        Setting, typer.Option(help="Encounter setting (OCG II.H inpatient, IV.H outpatient).")
    ] = Setting.INPATIENT,
    excludes1: Annotated[
        Action, typer.Option(help="Excludes1 pairs: remove the lower-ranked code, or flag.")
    ] = Action.FLAG,
    unspecified: Annotated[
        Action, typer.Option(help="An unspecified code beside a specific one: remove, or flag.")
    ] = Action.FLAG,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Say which codes to remove or reorder, and which is primary - or bill as is."""
    icd = load_resources(ctx.obj)
    given = [icd.lookup(code).code for code in codes]  # malformed/unknown: one clear line
    final, checks = run_checks(
        icd, given, CheckPolicy(excludes1=excludes1, unspecified=unspecified, setting=setting)
    )
    if as_json:
        out = {"codes": final, "checks": [c.model_dump() for c in checks]}
        print(json.dumps(out, indent=2))
        return
    lines = [f"Checked {len(given)} code(s) ({setting.value}): {' '.join(given)}", ""]
    for rank, code in enumerate(final, start=1):
        lines.append(f"  {rank}. {code:<9} {icd.lookup(code).description}")
    lines.append("")
    if not checks:
        lines.append("No rule fired: bill as is.")
    for item in checks:
        lines.append(f"- {item.rule}: {item.action} [{', '.join(item.codes)}]")
        if item.detail:
            lines.append(f"    {item.detail}")
    print("\n".join(lines))
