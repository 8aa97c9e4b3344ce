"""The index build encodes its chunks ends first, and every text still gets its own vector."""

from __future__ import annotations

import numpy as np
import pytest

from tools.index_search import build


class LengthEncoder:
    """Encodes a text as [its length, its first letter's code]; records each chunk."""

    dimension = 2

    def __init__(self) -> None:
        self.chunks: list[list[str]] = []

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        self.chunks.append(list(texts))
        return np.array([[len(t), ord(t[0])] for t in texts], np.float32)


def test_chunks_go_from_both_ends_inwards() -> None:
    assert build._ends_first(range(5)) == [0, 4, 1, 3, 2]
    assert build._ends_first(range(0, 8, 2)) == [0, 6, 2, 4]
    assert build._ends_first([]) == []


def test_every_text_gets_its_own_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "_ENCODE_CHUNK", 2)
    texts = ["bb", "a", "ccc", "dddd", "a", "eeeee"]
    encoder = LengthEncoder()
    reports: list[tuple[str, int, int]] = []
    vectors = build._encode_distinct(encoder, texts, {}, lambda *r: reports.append(r))
    assert vectors.tolist() == [[len(t), ord(t[0])] for t in texts]
    assert encoder.chunks == [["a", "bb"], ["eeeee"], ["ccc", "dddd"]]  # shortest, longest...
    assert reports == [("embedding", d, 5) for d in (0, 2, 3, 5)]
