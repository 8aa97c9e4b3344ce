"""What a person sees while clh works: the bar of long runs, and one line per graph step."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")
Report = Callable[[int, int], None]
err = Console(stderr=True)


def with_progress(work: Callable[[Report], T]) -> T:
    """Run work that reports (done, total) under a bar with the time remaining.

    The bar starts at the first report, so an error before any note is coded is alone on
    stderr; bad options and missing data (ValueError, FileNotFoundError) become one line.
    """
    bar = Progress(
        TextColumn("[bold]coding notes[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    )
    task: TaskID | None = None

    def report(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("", total=total)
        bar.update(task, completed=done, total=total)

    try:
        return work(report)
    except (ValueError, FileNotFoundError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    finally:
        if task is not None:
            bar.stop()


def duration(seconds: float) -> str:
    """Write a duration the way a person reads it: 42 s, 3 min 05 s, 1 h 20 min."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole // 60 % 60:02d} min"


def rate_line(label: str, unit: str, done: int, total: int, elapsed: float) -> str:
    """Say how far a long count is, how fast it goes and how long it has left.

    ``indexing: 12,800/64,000 distinct texts (20%), 85 texts/s, about 10 min 02 s left``.
    """
    head = f"{label}: {done:,}/{total:,} {unit} ({done * 100 // max(total, 1)}%)"
    if done <= 0 or elapsed <= 0:
        return head
    rate = done / elapsed
    per = f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"
    noun = unit.split()[-1]
    if done >= total:
        return f"{head} in {duration(elapsed)}, {per} {noun}/s"
    return f"{head}, {per} {noun}/s, about {duration((total - done) / rate)} left"


class TenthsReporter:
    """A ``(done, total)`` progress callback that says a line at each tenth of the total.

    The first call (nothing done yet) starts the clock and says how much there is to do.
    """

    def __init__(
        self,
        label: str,
        unit: str,
        say: Callable[[str], None],
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.label, self.unit, self.say, self.clock = label, unit, say, clock
        self._started: float | None = None
        self._next_tenth = 1

    def __call__(self, done: int, total: int) -> None:
        """Say a line when ``done`` reaches the next tenth of ``total``."""
        now = self.clock()
        if self._started is None:
            self._started = now
            self.say(f"{self.label}: {total:,} {self.unit} to do")
        if total <= 0 or done * 10 < self._next_tenth * total:
            return
        self._next_tenth = done * 10 // total + 1
        self.say(rate_line(self.label, self.unit, done, total, now - self._started))


class PhaseReporter:
    """A ``(phase, done, total)`` progress callback: a :class:`TenthsReporter` per phase.

    Each counted phase says a line at each tenth of its total, with its rate and the time left;
    a phase with no count (total 0) is said once, as it starts.
    """

    def __init__(
        self,
        units: Mapping[str, str],
        say: Callable[[str], None],
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.units, self.say, self.clock = units, say, clock
        self._phases: dict[str, TenthsReporter] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Say what a phase has done, as its tenths are reached."""
        if total <= 0:
            self.say(f"{phase}...")
            return
        if phase not in self._phases:
            unit = self.units.get(phase, "items")
            self._phases[phase] = TenthsReporter(phase, unit, self.say, self.clock)
        self._phases[phase](done, total)


INDEX_UNITS = {"embedding": "distinct texts", "storing": "entries"}
"""What each counted phase of the index build counts."""


def say_line(line: str) -> None:
    """Print a progress line on stderr as it is: no markup, never wrapped to the terminal."""
    err.print(line, markup=False, highlight=False, soft_wrap=True)


def warn(line: str) -> None:
    """Print a warning line on stderr, as text (no markup)."""
    err.print(line, markup=False, highlight=False)


def _items(update: Mapping[str, Any], key: str) -> list[Any]:
    """Return a key's list from a node's update, unwrapped from LangGraph's ``Overwrite``."""
    value = update.get(key, [])
    value = getattr(value, "value", value)
    return list(value) if isinstance(value, list | tuple) else []


def _field(item: Any, name: str) -> Any:
    """Read a field of a state item, a model or its dict form (after a checkpoint)."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _prepare_pass(update: Mapping[str, Any]) -> str:
    chunks = _items(update, "chunks")
    work = f"{_count(len(chunks), 'chunk')} for the extractor" if chunks else "no extractor chunks"
    return f"pass {update.get('pass_index', '?')}: {work}"


def _evidence_extractor(update: Mapping[str, Any]) -> str:
    return f"{_count(len(_items(update, 'findings')), 'finding')} extracted"


def _note_lanes(update: Mapping[str, Any]) -> str:
    if not update:
        return "no lanes run (lanes switched off)"
    mentions = _count(len(_items(update, "findings")), "mention")
    pooled = _count(len(_items(update, "lane_candidates")), "candidate")
    aside = len(_items(update, "rejected"))
    return f"{mentions}, {pooled} pooled" + (f", {aside} set aside" if aside else "")


def _merge_findings(update: Mapping[str, Any]) -> str:
    return f"{_count(len(_items(update, 'findings')), 'finding')} after merging"


def _index_navigator(update: Mapping[str, Any]) -> str:
    if "shown" not in update:
        return "nothing searched or found in the index"
    shown = _count(len(_items(update, "shown")), "index code")
    return f"{shown} shown, {len(_items(update, 'candidates'))} selected"


def _join_candidates(update: Mapping[str, Any]) -> str:
    return f"{_count(len(_items(update, 'candidates')), 'candidate')} for the tabular validator"


def _tabular_validator(update: Mapping[str, Any]) -> str:
    verdicts = _items(update, "verdicts")
    if not verdicts:
        return "no verdicts"
    chapters = sorted({_field(v, "chapter") for v in verdicts}, key=str)
    scored = all(_field(v, "score") is not None for v in verdicts)
    selected = sum(bool(_field(v, "selected")) for v in verdicts)
    judged = _count(len(verdicts), "candidate")
    where = "chapter " + ", ".join(str(c) for c in chapters)
    return f"{where}, {judged} {'scored' if scored else 'judged'}, {selected} selected"


def _code_reconciler(update: Mapping[str, Any]) -> str:
    codes = [str(_field(c, "code")) for c in _items(update, "codes")]
    checks = len(_items(update, "checks"))
    shown = f": {' '.join(codes)}" if codes else ""
    return f"{_count(len(codes), 'final code')}{shown}; {_count(checks, 'check')} recorded"


def _finalize(update: Mapping[str, Any]) -> str:
    result = update.get("result")
    if not isinstance(result, Mapping):
        return "no result"
    codes = _count(len(_items(result, "codes")), "code")
    return f"result of {codes}, {len(_items(result, 'considered'))} more considered"


_DESCRIBE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "prepare_pass": _prepare_pass,
    "evidence_extractor": _evidence_extractor,
    "note_lanes": _note_lanes,
    "merge_findings": _merge_findings,
    "index_navigator": _index_navigator,
    "join_candidates": _join_candidates,
    "tabular_validator": _tabular_validator,
    "code_reconciler": _code_reconciler,
    "finalize": _finalize,
}


def describe_update(node: str, update: Mapping[str, Any]) -> str:
    """Say in a few words what a graph node did, from the update it returned.

    Failed branches are named (the rest of the note is still coded); an unknown node is
    described by the keys it changed, so a new node never prints an empty line.
    """
    describe = _DESCRIBE.get(node)
    if describe is not None:
        text = describe(update)
    else:
        text = "updated " + (", ".join(sorted(update)) or "nothing")
    failures = _items(update, "failures")
    failed = [f for f in failures if not _field(f, "recovered")]
    if failed:
        first = str(_field(failed[0], "reason") or "")[:80]
        text += f"; {_count(len(failed), 'branch', 'branches')} failed ({first})"
    if len(failures) > len(failed):
        text += f"; {_count(len(failures) - len(failed), 'answer')} after a re-ask"
    return text
