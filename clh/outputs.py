"""Where a command may write: never over one of its inputs, never over a file it did not write."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path


class OutputError(Exception):
    """An output path that would destroy an input or a file clh did not write."""


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_output(
    out: Path,
    inputs: Iterable[Path | None],
    *,
    force: bool = False,
    ours: Callable[[Path], bool] = lambda _path: False,
) -> None:
    """Refuse an output file that is an input (links resolved) or a file clh did not write.

    Args:
        out: the file the command is about to write.
        inputs: the files the command reads (None entries are skipped).
        force: overwrite an existing file that ``ours`` does not recognise.
        ours: says whether an existing file is one this command wrote (it may be replaced).

    Raises:
        OutputError: naming the path and what to do instead.
    """
    for source in inputs:
        if source is not None and source.exists() and out.exists() and _same(out, source):
            raise OutputError(f"--out {out} is also an input ({source}): write it elsewhere")
    if out.is_dir():
        raise OutputError(f"--out {out} is a directory: give a file path")
    if out.exists() and not force and not ours(out):
        raise OutputError(
            f"--out {out} exists and is not a file this command wrote: give another path, "
            "or --force to overwrite it"
        )
    if not out.parent.is_dir():
        raise OutputError(f"--out {out}: the directory {out.parent} does not exist")


def check_run_dir(out: Path, inputs: Iterable[Path | None]) -> None:
    """Refuse a run directory that is a file, an input, or a folder of something else.

    Raises:
        OutputError: naming the path.
    """
    for source in inputs:
        if source is not None and source.exists() and out.exists() and _same(out, source):
            raise OutputError(f"--out {out} is an input of this command: give a new folder")
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a run folder: give a new folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "config.json").is_file():
        raise OutputError(
            f"--out {out} is a folder that holds no clh run: give a new (or empty) folder"
        )


def has_prefix(marker: str) -> Callable[[Path], bool]:
    """Return a test: does the file's beginning hold ``marker`` (how clh's pages start)?"""

    def test(path: Path) -> bool:
        try:
            with path.open("rb") as file:
                return marker.encode() in file.read(4096)
        except OSError:
            return False

    return test
