"""Files of fitted parameters (calibrations, pool rankers): read, checked, one way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_fitted_file(
    path: Path,
    *,
    kind: str,
    names: set[str],
    version: int,
    refit: str,
    error: type[Exception],
) -> dict[str, Any]:
    """Return a fitted file's fields, checked to be exactly ``names`` at ``version``.

    Args:
        path: the JSON file.
        kind: what it is, for messages ("calibration", "pool ranker").
        names: the fields the file must hold.
        version: the version this clh reads.
        refit: the command that writes a current file, for the message.
        error: the exception raised for a file that cannot be used.

    Raises:
        error: for a missing, unreadable or malformed file, or another version.
    """
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"cannot read the {kind} file {path}: {exc}") from exc
    if not isinstance(data, dict) or "version" not in data:
        raise error(f"{path} is not a clh {kind} file (fields {sorted(names)})")
    # An older version has other fields: say so before the fields would be found wrong.
    if data["version"] != version:
        raise error(
            f"{path} is {kind} version {data['version']}; this clh reads version {version}: {refit}"
        )
    if set(data) != names:
        raise error(f"{path} is not a clh {kind} file (fields {sorted(names)})")
    return data
