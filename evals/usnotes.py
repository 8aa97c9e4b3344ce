"""Check the US-style notes benchmark against the loaded release: ``python -m evals.usnotes``.

Every gold code must be a billable code of the release, each note's codes free of Excludes1
clashes (unless the note lists the pair in ``excludes1_ok`` and a rationale cites OCG
I.A.12.a), every code explained by exactly one rationale line, ids unique and the setting
valid. Prints a summary of the set; exits 1 naming each problem.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from evals.datasets import SETTINGS, USNOTES, json_lines
from icd_resources import IcdResources, ResourceSettings
from icd_resources.errors import ResourceError
from tools.code_checks import excludes

FIELDS = ("id", "setting", "doc_type", "text", "codes", "rationale")
EXCEPTION = "I.A.12.a"
"""The section a rationale cites for an Excludes1 pair reported together (unrelated)."""


def read_rows(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the file's JSON objects and the lines that are not one."""
    lines, problems = json_lines(path)
    problems += [f"line {n}: not a JSON object" for n, row in lines if not isinstance(row, dict)]
    return [row for _n, row in lines if isinstance(row, dict)], problems


def check_rows(icd: IcdResources, rows: list[dict[str, Any]]) -> list[str]:
    """Return every problem of the notes, each naming its note."""
    counts = Counter(str(row.get("id")) for row in rows)
    problems = [f"{id_}: id used {n} times" for id_, n in counts.items() if n > 1]
    for row in rows:
        problems.extend(check_note(icd, row))
    return problems


def check_note(icd: IcdResources, row: dict[str, Any]) -> list[str]:
    """Return one note's problems: fields, setting, codes, rationale and Excludes1 pairs."""
    name = str(row.get("id", "?"))
    missing = [f for f in FIELDS if f not in row]
    if missing:
        return [f"{name}: missing {', '.join(missing)}"]
    problems: list[str] = []
    if row["setting"] not in SETTINGS:
        problems.append(f"{name}: setting {row['setting']!r} is not inpatient or outpatient")
    if not isinstance(row["text"], str) or not row["text"].strip():
        problems.append(f"{name}: no text")
    if not isinstance(row["doc_type"], str) or not row["doc_type"].strip():
        problems.append(f"{name}: no doc_type")
    codes, rationale = row["codes"], row["rationale"]
    if not _strings(codes) or not codes:
        return [*problems, f"{name}: codes must be a non-empty list of strings"]
    if not _strings(rationale):
        return [*problems, f"{name}: rationale must be a list of strings"]
    problems.extend(f"{name}: {p}" for p in _code_problems(icd, codes))
    problems.extend(f"{name}: {p}" for p in _rationale_problems(codes, rationale))
    problems.extend(
        f"{name}: {p}" for p in _excludes1_problems(icd, codes, rationale, row.get("excludes1_ok"))
    )
    return problems


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _code_problems(icd: IcdResources, codes: list[str]) -> list[str]:
    """Say which codes are repeated, not written as billed, unknown or not billable."""
    problems = [f"{c} listed twice" for c, n in Counter(codes).items() if n > 1]
    for code in dict.fromkeys(codes):
        try:
            info = icd.get(code)
        except ValueError:
            problems.append(f"{code!r} is not shaped like a code")
            continue
        if info is None:
            problems.append(f"{code} is not in release {icd.release}")
        elif not info.billable:
            below = ", ".join(d.code for d in icd.billable_descendants(code)[:5])
            problems.append(f"{code} is not billable (codes below it: {below} ...)")
        elif code != info.code:
            problems.append(f"{code} must be written {info.code} (dotted, upper case)")
    return problems


def _rationale_problems(codes: list[str], rationale: list[str]) -> list[str]:
    """Say which codes lack exactly one rationale line and which lines explain no code."""
    owner = [next((c for c in codes if line.startswith(f"{c}:")), None) for line in rationale]
    counts = Counter(c for c in owner if c is not None)
    problems = [
        f"{code} has {counts[code]} rationale lines, needs exactly one starting '{code}:'"
        for code in dict.fromkeys(codes)
        if counts[code] != 1
    ]
    problems.extend(
        f"rationale line explains no gold code: {line[:60]!r}"
        for line, code in zip(rationale, owner, strict=True)
        if code is None
    )
    return problems


def _excludes1_problems(
    icd: IcdResources, codes: list[str], rationale: list[str], allowed: Any
) -> list[str]:
    """Say which pairs clash by an Excludes1 note without an explained exception."""
    known = [c for c in dict.fromkeys(codes) if _billable(icd, c)]
    pairs = {frozenset(p) for p in allowed if _strings(p) and len(p) == 2} if allowed else set()
    problems: list[str] = []
    if allowed is not None and (not isinstance(allowed, list) or len(pairs) != len(allowed)):
        problems.append('excludes1_ok must be a list of ["A", "B"] pairs')
    clashing: set[frozenset[str]] = set()
    for first, second in combinations(known, 2):
        note = excludes(icd, first, second) or excludes(icd, second, first)
        if note is None:
            continue
        clashing.add(frozenset((first, second)))
        if frozenset((first, second)) not in pairs:
            problems.append(
                f"Excludes1 between {first} and {second} ({note.origin}: {note.text!r}); "
                "if both are right (OCG I.A.12.a), list the pair in excludes1_ok"
            )
        elif not any(
            line.startswith((f"{first}:", f"{second}:")) and EXCEPTION in line for line in rationale
        ):
            problems.append(f"excludes1_ok {first}, {second}: no rationale cites OCG {EXCEPTION}")
    problems.extend(
        f"excludes1_ok {', '.join(sorted(p))}: no Excludes1 note between them"
        for p in pairs - clashing
    )
    return problems


def _billable(icd: IcdResources, code: str) -> bool:
    try:
        info = icd.get(code)
    except ValueError:
        return False
    return info is not None and info.billable and info.code == code


def summary(icd: IcdResources, rows: list[dict[str, Any]]) -> str:
    """Return the set's summary: notes, codes per note, chapters, settings and document types."""
    codes = [c for row in rows if _strings(row.get("codes")) for c in row["codes"]]
    codes = [c for c in codes if _billable(icd, c)]
    chapters = Counter(icd.lookup(c).chapter for c in codes)
    first = Counter(icd.lookup(row["codes"][0]).chapter for row in rows if _first_ok(icd, row))
    lines = [
        f"notes: {len(rows)}; gold codes: {len(codes)} "
        f"({len(codes) / max(len(rows), 1):.1f} per note, {len(set(codes))} distinct)",
        f"settings: {_counts(Counter(str(row.get('setting')) for row in rows))}",
        f"doc types: {_counts(Counter(str(row.get('doc_type')) for row in rows))}",
        f"chapters covered: {len(chapters)} of {len(icd.chapters())}",
    ]
    for chapter in icd.chapters():
        if chapter.number in chapters:
            lines.append(
                f"  {chapter.number:>2} {chapter.first}-{chapter.last}: "
                f"{chapters[chapter.number]} codes, first-listed in {first[chapter.number]} notes"
                f" - {chapter.description}"
            )
    return "\n".join(lines)


def _first_ok(icd: IcdResources, row: dict[str, Any]) -> bool:
    codes: Any = row.get("codes")
    return _strings(codes) and bool(codes) and _billable(icd, str(codes[0]))


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {n}" for key, n in counter.most_common())


def main(argv: Sequence[str] | None = None) -> int:
    """Check the file, print the summary and each problem; return 1 if there is any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=USNOTES, help="the JSONL file to check")
    parser.add_argument("--icd-dir", action="append", type=Path)
    parser.add_argument("--cache-dir", type=Path)
    args = parser.parse_args(argv)
    try:
        icd = IcdResources.load(ResourceSettings.resolve(args.icd_dir, args.cache_dir))
        rows, problems = read_rows(args.data)
    except (OSError, ResourceError) as exc:
        print(f"error: {exc}")
        return 2
    problems += check_rows(icd, rows)
    print(f"{args.data} against ICD-10-CM {icd.release}")
    print(summary(icd, rows))
    for problem in problems:
        print(f"problem: {problem}")
    print(f"{len(problems)} problem(s)" if problems else "no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
