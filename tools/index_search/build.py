"""Build the search collection once per (release, model, settings), with a progress display."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from icd_resources import IcdResources, IndexSource
from tools.index_search.backends import Backend, EdgeBackend, ServerBackend
from tools.index_search.documents import IndexDocument, index_documents
from tools.index_search.encoders import DenseEncoder, SparseEncoder
from tools.index_search.settings import SearchSettings

INDEX_SCHEMA = "3"  # 2: tabular descriptions and inclusion terms; 3: int8 vectors, shared rows
_ENCODE_CHUNK = 2048
Progress = Callable[[str, int, int], None]
"""Called with (phase, done, total): ``embedding`` counts distinct texts, ``storing`` entries;
a phase with no count (``indexing the collection``) is announced once with total 0."""


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
    sources: dict[str, int] = field(default_factory=dict)
    """Entries per source (index, eindex, drug, neoplasm, tabular)."""
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per build phase: encode (dense), sparse, store, optimize (HNSW graph)."""
    encoder: str = ""
    """What computed the dense vectors: model and runtime (onnx or torch)."""


def index_key(icd: IcdResources, settings: SearchSettings) -> str:
    """Hash what decides a collection's content: release artifact, model, index settings."""
    parts = [
        INDEX_SCHEMA,
        icd.artifact.name,
        settings.model,
        *(["exact"] if settings.exact_dense else [str(settings.hnsw_m)]),
        str(settings.hnsw_ef_construct),
        *(["slice", *settings.code_prefixes] if settings.code_prefixes else []),
        *(["dense", *sorted(settings.dense_sources)] if _some(settings.dense_sources) else []),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _some(sources: tuple[IndexSource, ...]) -> bool:
    """Say whether only some sources are meant (the key of an index of all stays as it was)."""
    return set(sources) != set(IndexSource)


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
    docs = [d for d in index_documents(icd) if _in_slice(d, settings.code_prefixes)]
    dense = DenseEncoder(settings.model)
    backend, location, final = _open_for_build(icd, settings, cache_dir)
    backend.create(dense.dimension)
    phases: dict[str, float] = {}
    embedded = [i for i, d in enumerate(docs) if _source(d) in settings.dense_sources]
    table = _encode_distinct(dense, [docs[i].embedded for i in embedded], phases, progress)
    vectors: list[NDArray[np.float32] | None] = [None] * len(docs)
    for row, i in enumerate(embedded):
        vectors[i] = table[row]
    points = _store(backend, docs, vectors, settings.batch_size, phases, progress or _silent)
    if final is not None:
        shutil.rmtree(final, ignore_errors=True)
        final.with_name(final.name + ".building").rename(final)
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
        sources=dict(Counter(_source(d).value for d in docs)),
        phases=phases,
        encoder=dense.description,
    )
    manifest_file.parent.mkdir(parents=True, exist_ok=True)
    manifest_file.write_text(json.dumps(asdict(manifest), indent=2))
    return manifest, True


def _source(doc: IndexDocument) -> IndexSource:
    return IndexSource(doc.payload["source"])


def _in_slice(doc: IndexDocument, prefixes: tuple[str, ...]) -> bool:
    codes = doc.payload["metadata"]["codes"]
    return not prefixes or any(str(c["code"]).startswith(prefixes) for c in codes)


def _open_for_build(
    icd: IcdResources, settings: SearchSettings, cache_dir: Path
) -> tuple[Backend, str, Path | None]:
    """Return the backend to fill, where it will be, and the shard directory (edge only)."""
    if settings.backend == "edge":
        final = edge_path(icd, settings, cache_dir)
        building = final.with_name(final.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        return EdgeBackend(building, settings), str(final), final
    backend = ServerBackend(settings, server_collection(icd, settings))
    return backend, f"{settings.qdrant_url or settings.qdrant_path}#{backend.collection}", None


def _encode_distinct(
    dense: DenseEncoder, texts: list[str], phases: dict[str, float], progress: Progress | None
) -> NDArray[np.float32]:
    """Embed each distinct text once, in chunks of similar length, and return a vector per text.

    Sorting every text by length (not only within a batch) keeps padding near zero. The chunks
    are encoded shortest and longest alternately, so the rate reported at any point is the
    whole build's and the time left estimated from it holds.
    """
    started = time.perf_counter()
    distinct = sorted(set(texts), key=lambda t: (len(t), t))
    report = progress or _silent
    report("embedding", 0, len(distinct))
    table = np.zeros((len(distinct), dense.dimension), np.float32)
    done = 0
    for start in _ends_first(range(0, len(distinct), _ENCODE_CHUNK)):
        chunk = distinct[start : start + _ENCODE_CHUNK]
        table[start : start + len(chunk)] = dense.encode(chunk, batch_size=32)
        done += len(chunk)
        report("embedding", done, len(distinct))
    row = {text: i for i, text in enumerate(distinct)}
    phases["encode"] = round(time.perf_counter() - started, 1)
    return table[[row[t] for t in texts]] if texts else table


def _silent(_phase: str, _done: int, _total: int) -> None:
    """Report nothing (no progress callback was given)."""


def _ends_first(items: Sequence[int]) -> list[int]:
    """Return items from both ends inwards: first, last, second, second to last..."""
    order = []
    low, high = 0, len(items) - 1
    while low <= high:
        order.append(items[low])
        if high != low:
            order.append(items[high])
        low, high = low + 1, high - 1
    return order


def _store(
    backend: Backend,
    docs: list[IndexDocument],
    vectors: Sequence[NDArray[np.float32] | None],
    batch_size: int,
    phases: dict[str, float],
    report: Progress,
) -> int:
    """Add BM25 vectors, upsert every document, index them (and any graph); return the count."""
    started = time.perf_counter()
    sparse = SparseEncoder()
    terms = [sparse.document(d.text) for d in docs]
    phases["sparse"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    report("storing", 0, len(docs))
    for start in range(0, len(docs), batch_size):
        end = min(start + batch_size, len(docs))
        backend.upsert(docs[start:end], vectors[start:end], terms[start:end])
        report("storing", end, len(docs))
    phases["store"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    report("indexing the collection", 0, 0)
    backend.finish()
    points = backend.count()
    backend.close()
    phases["optimize"] = round(time.perf_counter() - started, 1)
    return points


def _still_there(manifest: IndexManifest, settings: SearchSettings, shard: Path) -> bool:
    if manifest.backend == "edge":
        return shard.is_dir()  # the cache directory may have moved since the build
    backend = ServerBackend(settings, manifest.location.rsplit("#", 1)[-1])
    try:
        return backend.exists() and backend.count() == manifest.points
    finally:
        backend.close()
