"""Calibration files: decision thresholds fitted on training notes, checked before use.

``clh calibrate`` (evals.calibrate) writes one; a run loads it through ``Context.calibration``.
A file fitted for another model, release or scored prompt is refused: its threshold would
mean something else there.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

from graph.errors import CalibrationError
from tools.fitted_files import read_fitted_file

CALIBRATION_VERSION = 1
PACKAGED = Path(__file__).parent / "calibrations"
"""Calibrations shipped with clh, one per model (``<model>.json``), fitted on CodiEsp train."""


@dataclass(frozen=True)
class Calibration:
    """What was fitted, on what, and for which model, release and prompt."""

    version: int
    model: str
    release: str
    prompt: str
    data: str
    """Dataset, split and data fingerprint, e.g. ``codiesp-train@3f2a...``."""
    notes: int
    candidates: int
    positives: int
    created: str
    verify_threshold: float
    train_micro_f1: float
    lanes: list[str]
    max_candidates: int

    def check(self, model: str, release: str, prompt: str) -> None:
        """Refuse a file fitted for another model, release or scored prompt.

        Raises:
            CalibrationError: naming what differs and how to make a matching file.
        """
        for name, fitted, running in (
            ("model", self.model, model),
            ("release", self.release, release),
            ("scored prompt", self.prompt, prompt),
        ):
            if fitted != running:
                raise CalibrationError(
                    f"the calibration was fitted for {name} {fitted!r}, this run uses "
                    f"{running!r}: run `clh calibrate` for this {name}, or pass "
                    "--set calibration=none"
                )

    def to_json(self) -> str:
        """Return the file's text."""
        return json.dumps(asdict(self), indent=2) + "\n"


def read_calibration(path: Path) -> Calibration:
    """Read a calibration file.

    Raises:
        CalibrationError: for a missing, unreadable or malformed file, or another version.
    """
    data = read_fitted_file(
        path,
        kind="calibration",
        names={f.name for f in fields(Calibration)},
        version=CALIBRATION_VERSION,
        refit="run `clh calibrate` again",
        error=CalibrationError,
    )
    return Calibration(**data)


def find_calibration(option: str, model: str) -> Calibration | None:
    """Return the run's calibration: a file, the packaged one for the model, or none.

    Args:
        option: ``Context.calibration``: a path, ``"none"``, or ``"packaged"`` for the
            packaged file of ``model`` when clh ships one.
        model: the model that answers this run.

    Raises:
        CalibrationError: for an unreadable file.
    """
    if option == "none":
        return None
    packaged = option == "packaged"
    path = PACKAGED / f"{model}.json" if packaged else Path(option).expanduser()
    if packaged and not path.is_file():
        return None
    try:
        changed = path.stat().st_mtime_ns
    except OSError:
        changed = 0  # read_calibration says what is wrong
    return _read_once(path, changed)


@lru_cache(maxsize=16)
def _read_once(path: Path, changed: int) -> Calibration:
    # Every validator branch asks; the file is read once per version of it on disk.
    del changed
    return read_calibration(path)
