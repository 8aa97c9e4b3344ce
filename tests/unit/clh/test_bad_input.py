"""Bad input and faults through the real CLI: one clear line, the right exit code, no traceback.

Each case is a command a new user could type. On the fixture release (prebuilt once, so that
the only thing on stderr is the answer) it must end with exit code 2, exactly one line on
stderr that names the fix, no traceback and no crash file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_RELEASE
from tests.fakes import FakeOpenAIServer


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("bad-input-cache")
    built = run(["resources", "build"], cache)
    assert built.returncode == 0, built.stderr
    return cache


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad-input-files")
    (root / "note.txt").write_text("Patient with hypertension.")
    (root / "folder").mkdir()
    (root / "not-sqlite.sqlite").write_text("plain text, not a database")
    (root / "data.jsonl").write_text('{"id": "1", "text": "x", "codes": ["I10"]}\n')
    return root


def run(
    args: list[str], cache: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CLH_")}
    base.update({"CLH_CACHE_DIR": str(cache), "CLH_ICD_DIR": str(FIXTURE_RELEASE)})
    return subprocess.run(
        [sys.executable, "-m", "clh", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="module")
def empty_server() -> Iterator[str]:
    server = FakeOpenAIServer(models=())
    with server.running():
        yield server.base_url


# (name, arguments with {files} for the file folder, environment, words the line must hold)
CASES: list[tuple[str, list[str], dict[str, str], str]] = [
    (
        "checkpoint in a missing directory",
        ["code", "{files}/note.txt", "--checkpoint", "/nonexistent/x.sqlite", "--note-id", "z"],
        {},
        "the directory /nonexistent does not exist",
    ),
    (
        "checkpoint is a directory",
        ["code", "{files}/note.txt", "--checkpoint", "{files}/folder"],
        {},
        "is a directory: give a file",
    ),
    (
        "checkpoint is not SQLite",
        ["code", "{files}/note.txt", "--checkpoint", "{files}/not-sqlite.sqlite"],
        {},
        "is not a SQLite checkpoint file",
    ),
    (
        "resume from a missing checkpoint",
        [
            "code",
            "{files}/note.txt",
            "--checkpoint",
            "{files}/none.sqlite",
            "--note-id",
            "z",
            "--resume",
        ],
        {},
        "no checkpoint file at",
    ),
    (
        "resume without a note id",
        ["code", "{files}/note.txt", "--resume"],
        {},
        "--resume needs --checkpoint and the --note-id",
    ),
    (
        "unknown encoding",
        ["code", "{files}/note.txt", "--encoding", "bogus"],
        {},
        "unknown encoding 'bogus'",
    ),
    (
        "unknown encoding, unwritable cache",
        ["code", "{files}/note.txt", "--encoding", "bogus"],
        {"CLH_CACHE_DIR": "/proc/x"},
        "unknown encoding 'bogus'",
    ),
    (
        "pool ranker file that is no ranker",
        ["code", "{files}/note.txt", "--set", "pool_ranker={files}/data.jsonl"],
        {},
        "is not a clh pool ranker file",
    ),
    ("zero passes", ["code", "{files}/note.txt", "--passes", "0"], {}, "'--passes'"),
    ("negative passes", ["code", "{files}/note.txt", "--passes", "-2"], {}, "'--passes'"),
    ("zero hits", ["search", "fever", "-k", "0"], {}, "'-k'"),
    ("negative hits", ["search", "fever", "-k", "-1"], {}, "'-k'"),
    ("punctuation query", ["search", "--mode", "sparse", ".,;!?"], {}, "no searchable words"),
    ("emoji query", ["search", "\U0001f912\U0001f912"], {}, "no searchable words"),
    ("negative limit", ["eval", "--limit", "-1"], {}, "'--limit'"),
    ("unknown dataset", ["eval", "--dataset", "bogus", "--coder", "baseline"], {}, "bogus"),
    (
        "missing data",
        ["eval", "--coder", "baseline", "--data", "/nonexistent/codiesp"],
        {},
        "no CodiEsp gold file",
    ),
    (
        "missing split",
        [
            "eval",
            "--coder",
            "baseline",
            "--split",
            "test",
            "--data",
            str(Path(__file__).parents[2] / "fixtures" / "codiesp_like"),
        ],
        {},
        "no CodiEsp gold file",
    ),
    ("unknown coder", ["eval", "--coder", "gpt"], {}, "'--coder'"),
    (
        "timeout not a number",
        ["llm", "check"],
        {"CLH_LLM_TIMEOUT": "abc"},
        "CLH_LLM_TIMEOUT='abc' is not a valid value",
    ),
    (
        "unknown decoding",
        ["llm", "check"],
        {"CLH_LLM_DECODING": "bogus"},
        "CLH_LLM_DECODING='bogus'",
    ),
    (
        "negative concurrency",
        ["llm", "check"],
        {"CLH_LLM_CONCURRENCY": "-1"},
        "CLH_LLM_CONCURRENCY must be 0 or more",
    ),
    (
        "missing GGUF file",
        ["llm", "check"],
        {"CLH_EMBEDDED_GGUF": "/nonexistent/model.gguf"},
        "is not a file",
    ),
    (
        "directory as GGUF",
        ["llm", "check"],
        {"CLH_EMBEDDED_GGUF": "{files}/folder"},
        "is not a file",
    ),
    ("huge code to look up", ["lookup", "A" * 100_000], {}, "(100,000 characters)"),
    ("unknown command", ["cod", "{files}/note.txt"], {}, "No such command 'cod'"),
    ("unknown code to check", ["check", "A00.0", "hello"], {}, "is not a well-formed"),
    (
        "batch of a missing folder",
        ["batch", "/nonexistent/notes", "--out", "{files}/run"],
        {},
        "no folder or JSONL file at /nonexistent/notes",
    ),
    (
        "review of a file that is no result",
        [
            "review",
            "{files}/data.jsonl",
            "--note",
            "{files}/note.txt",
            "--out",
            "{files}/page.html",
        ],
        {},
        "is not a clh result",
    ),
]


@pytest.mark.parametrize(("name", "args", "env", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line(
    cache: Path, files: Path, name: str, args: list[str], env: dict[str, str], words: str
) -> None:
    args = [a.replace("{files}", str(files)) for a in args]
    env = {k: v.replace("{files}", str(files)) for k, v in env.items()}
    result = run(args, cache, env)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("clh: error: ") and words in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (cache / "logs").exists() or not list((cache / "logs").iterdir())


def test_a_server_listing_no_model_is_one_clear_line(cache: Path, empty_server: str) -> None:
    result = run(["llm", "check"], cache, {"CLH_LLM_BASE_URL": empty_server})
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "lists no model at GET /models: set CLH_LLM_MODEL" in lines[0]


def test_markdown_shows_note_text_as_text() -> None:
    from clh.render import result_markdown

    result = {
        "note_id": "<b>n</b>",
        "passes": 1,
        "codes": [
            {
                "rank": 1,
                "code": "I10",
                "description": "Essential (primary) hypertension",
                "evidence": [{"start": 0, "end": 29, "text": "<script>alert(1)</script> HTN"}],
                "index_paths": [],
                "tabular_notes": [],
                "rationale": "<img src=x onerror=alert(1)>",
            }
        ],
        "checks": [],
        "failures": [],
        "rejected": [],
        "accounting": {
            "per_agent": {},
            "total": {
                "calls": 0,
                "failed_calls": 0,
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "cached_tokens": 0,
                "latency_s": 0.0,
            },
        },
    }
    text = result_markdown(result)
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img" not in text and "&lt;b&gt;n&lt;/b&gt;" in text
