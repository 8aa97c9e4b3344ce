"""The packaged MiniLM on ONNX Runtime: PyTorch's vectors in float, close ones in int8."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tools.index_search import SearchSettings
from tools.index_search.encoders import DenseEncoder, resolve_model_path
from tools.index_search.errors import SearchError
from tools.index_search.onnx_minilm import OnnxMiniLM, _fingerprint

TEXTS = [
    "Hypertension, hypertensive (accelerated) (benign) (essential)",
    "Diabetes, type 2, with chronic kidney disease",
    "Warfarin, adverse effect",
    "x",
    "Neoplasm, neoplastic, arachnoid, cerebral, malignant primary " * 40,  # past 256 tokens
]


def test_onnx_runtime_gives_the_pytorch_vectors() -> None:
    onnx = DenseEncoder(SearchSettings().model, runtime="onnx")
    torch = DenseEncoder(SearchSettings().model, runtime="torch")
    assert "on onnx" in onnx.description
    fast, reference = onnx.encode(TEXTS, batch_size=2), torch.encode(TEXTS)
    assert fast.shape == reference.shape == (len(TEXTS), onnx.dimension)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (fast * reference).sum(axis=1).min() > 0.99999


def test_the_default_int8_model_keeps_the_meaning() -> None:
    int8 = DenseEncoder(SearchSettings().model)
    exact = DenseEncoder(SearchSettings().model, runtime="onnx")
    assert int8.runtime == "onnx-int8" and "onnx-int8" in int8.description
    close, reference = int8.encode(TEXTS), exact.encode(TEXTS)
    assert np.allclose(np.linalg.norm(close, axis=1), 1.0, atol=1e-5)
    cosine = (close * reference).sum(axis=1)
    assert cosine.min() > 0.95 and cosine.max() < 0.99999  # close, and truly quantized
    # each text is still nearest to its own float vector
    assert ((close @ reference.T).argmax(axis=1) == np.arange(len(TEXTS))).all()


def test_only_the_packaged_model_runs_on_onnx() -> None:
    assert DenseEncoder("some/other-model").runtime == "torch"
    with pytest.raises(SearchError, match="packaged"):
        DenseEncoder("some/other-model", runtime="onnx")


def test_an_unreadable_export_says_how_to_fix_it(tmp_path: Path) -> None:
    model_dir = resolve_model_path(SearchSettings().model)
    config = json.loads((Path(model_dir) / "config.json").read_text())
    broken = tmp_path / f"minilm-{_fingerprint(model_dir, config)}.onnx"
    broken.write_bytes(b"not an onnx model")
    with pytest.raises(SearchError, match="delete it to export it again"):
        OnnxMiniLM.load(model_dir, tmp_path, int8=False)
    with pytest.raises(SearchError, match=f"delete {broken} to export it again"):
        OnnxMiniLM.load(model_dir, tmp_path)
    with pytest.raises(SearchError, match="unknown embedding runtime"):
        DenseEncoder(SearchSettings().model, runtime="openvino")
