"""Where clh finds the release and keeps its compiled artifacts.

Precedence: an explicit argument, then the environment (read once, here), then the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ICD_DIR_ENV = "CLH_ICD_DIR"
CACHE_DIR_ENV = "CLH_CACHE_DIR"


def default_cache_dir() -> Path:
    """Return ``$CLH_CACHE_DIR``, else ``$XDG_CACHE_HOME/clh``, else ``~/.cache/clh``."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "clh"


@dataclass(frozen=True, kw_only=True)
class ResourceSettings:
    """Directories the release is read from, and the cache the artifact is written to."""

    icd_dirs: tuple[Path, ...]
    cache_dir: Path

    @property
    def release_dir(self) -> Path:
        """Where ``clh resources fetch`` unpacks downloads."""
        return self.cache_dir / "release"

    @property
    def artifact_dir(self) -> Path:
        """Where compiled artifacts are kept, one file per input hash."""
        return self.cache_dir / "resources"

    @classmethod
    def resolve(
        cls, icd_dirs: list[Path] | tuple[Path, ...] | None = None, cache_dir: Path | None = None
    ) -> ResourceSettings:
        """Build settings from explicit values, falling back to the environment and defaults.

        ``CLH_ICD_DIR`` may list several directories separated by ``os.pathsep``; with
        neither, clh reads what ``clh resources fetch`` downloaded into the cache.
        """
        cache = (cache_dir or default_cache_dir()).expanduser()
        if icd_dirs:
            dirs = tuple(Path(d).expanduser() for d in icd_dirs)
        elif os.environ.get(ICD_DIR_ENV):
            dirs = tuple(
                Path(p).expanduser() for p in os.environ[ICD_DIR_ENV].split(os.pathsep) if p
            )
        else:
            dirs = (cache / "release",)
        return cls(icd_dirs=dirs, cache_dir=cache)
