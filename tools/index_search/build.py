"""Build the search collection once per (release, model, settings), with a progress display."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from icd_resources import IcdResources
from tools.index_search.backends import Backend, EdgeBackend, ServerBackend
from tools.index_search.documents import index_documents
from tools.index_search.encoders import DenseEncoder, SparseEncoder
from tools.index_search.settings import SearchSettings

INDEX_SCHEMA = "1"
Progress = Callable[[int, int], None]
"""Called with (entries done, entries in all)."""


@dataclass(frozen=True, slots=True)
class IndexManifest:
    """What a built collection holds; written last, so its presence means the build finished."""

    key: str
    backend: str
    location: str
    model: str
    dimension: int
    points: int
    release: str
    seconds: float
    built_at: str


def index_key(icd: IcdResources, settings: SearchSettings) -> str:
    """Hash what decides a collection's content: release artifact, model, index settings."""
    parts = [
        INDEX_SCHEMA,
        icd.artifact.name,
        settings.model,
        str(settings.hnsw_m),
        str(settings.hnsw_ef_construct),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def manifest_path(icd: IcdResources, settings: SearchSettings, cache_dir: Path) -> Path:
    """Return where the manifest of this collection lives (both backends keep one locally)."""
    return cache_dir / "index" / f"{index_key(icd, settings)}-{settings.backend}.json"


def edge_path(icd: IcdResources, settings: SearchSettings, cache_dir: Path) -> Path:
    """Return the directory of the embedded shard."""
    return cache_dir / "index" / f"edge-{index_key(icd, settings)}"


def server_collection(icd: IcdResources, settings: SearchSettings) -> str:
    """Return the server collection name: one per key, so teams can share several versions."""
    return f"{settings.collection}-{index_key(icd, settings)}"


def read_manifest(path: Path) -> IndexManifest | None:
    """Return a manifest, or None if there is none (or it is unreadable)."""
    try:
        return IndexManifest(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def build_index(
    icd: IcdResources,
    settings: SearchSettings,
    cache_dir: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> tuple[IndexManifest, bool]:
    """Embed and store every index entry, unless an identical collection already exists.

    Returns:
        ``(manifest, built)``; built is False when the existing collection was reused.
    """
    manifest_file = manifest_path(icd, settings, cache_dir)
    existing = read_manifest(manifest_file)
    if (
        existing
        and not force
        and _still_there(existing, settings, edge_path(icd, settings, cache_dir))
    ):
        return existing, False
    started = time.perf_counter()
    docs = list(index_documents(icd))
    dense = DenseEncoder(settings.model)
    sparse = SparseEncoder()
    backend: Backend
    if settings.backend == "edge":
        final = edge_path(icd, settings, cache_dir)
        building = final.with_name(final.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        backend = EdgeBackend(building, settings)
        location = str(final)
    else:
        backend = ServerBackend(settings, server_collection(icd, settings))
        location = f"{settings.qdrant_url or settings.qdrant_path}#{backend.collection}"
    backend.create(dense.dimension)
    report = progress or (lambda _done, _total: None)
    report(0, len(docs))
    # sentence-transformers sorts each encode() call by length: large calls pad far less
    # (measured here: ~3x faster than one call per upsert batch).
    chunk = 16 * settings.batch_size
    for start in range(0, len(docs), chunk):
        part = docs[start : start + chunk]
        texts = [d.text for d in part]
        vectors = dense.encode(texts, batch_size=64)
        terms = [sparse.document(t) for t in texts]
        for offset in range(0, len(part), settings.batch_size):
            end = offset + settings.batch_size
            backend.upsert(part[offset:end], vectors[offset:end], terms[offset:end])
        report(start + len(part), len(docs))
    backend.finish()
    points = backend.count()
    backend.close()
    if settings.backend == "edge":
        shutil.rmtree(final, ignore_errors=True)
        building.rename(final)
    manifest = IndexManifest(
        key=index_key(icd, settings),
        backend=settings.backend,
        location=location,
        model=settings.model,
        dimension=dense.dimension,
        points=points,
        release=icd.release,
        seconds=round(time.perf_counter() - started, 1),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    manifest_file.parent.mkdir(parents=True, exist_ok=True)
    manifest_file.write_text(json.dumps(asdict(manifest), indent=2))
    return manifest, True


def _still_there(manifest: IndexManifest, settings: SearchSettings, shard: Path) -> bool:
    if manifest.backend == "edge":
        return shard.is_dir()  # the cache directory may have moved since the build
    backend = ServerBackend(settings, manifest.location.rsplit("#", 1)[-1])
    try:
        return backend.exists() and backend.count() == manifest.points
    finally:
        backend.close()
