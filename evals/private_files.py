"""Files that hold note text: readable by their owner only, written whole or not at all.

Run directories are 0700 and their files 0600 (predictions, codes, review pages): notes are
patient records, so another account on the machine must not read them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create a directory (and its parents) readable by its owner only; return it."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place (0600).

    A crash leaves the old file or the new one, never half of either.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(tmp, PRIVATE_FILE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def append_private(path: Path, line: str) -> None:
    """Append a line to a file, creating it readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(line)
        out.flush()
