"""Bad input and faults through the real CLI: one clear line, the right exit code, no traceback.

Each case is a command a new user could type. On the fixture release (prebuilt once, so that
the only thing on stderr is the answer) it must end with exit code 2, exactly one line on
stderr that names the fix, no traceback and no crash file.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.note_identity import note_sha256
from tests.conftest import FIXTURE_RELEASE
from tests.fakes import FakeOpenAIServer, completion


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
    (root / "other.txt").write_text("Patient with cholera.")
    (root / "link.txt").symlink_to(root / "note.txt")
    (root / "empty.jsonl").write_text("")
    (root / "notes.jsonl").write_text('{"id": "a", "text": "Cholera."}\n')
    result = {
        "note_id": "n1",
        "note_sha256": note_sha256("Patient with hypertension."),
        "passes": 1,
        **{key: [] for key in ("codes", "checks", "findings", "failures", "rejected")},
    }
    (root / "result.json").write_text(json.dumps(result))
    (root / "partial-result.json").write_text(json.dumps({"codes": []}))
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
        "eval checkpoint for the baseline",
        ["eval", "--coder", "baseline", "--checkpoint", "{files}/ck.sqlite"],
        {},
        "not for baseline",
    ),
    (
        "eval checkpoint is a directory",
        ["eval", "--checkpoint", "{files}/folder"],
        {},
        "is a directory",
    ),
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
    ("empty note path", ["code", ""], {}, "the note path is empty"),
    (
        "review written over its note",
        [
            "review",
            "{files}/result.json",
            "--note",
            "{files}/note.txt",
            "--out",
            "{files}/note.txt",
        ],
        {},
        "is also an input",
    ),
    (
        "review written over its result",
        [
            "review",
            "{files}/result.json",
            "--note",
            "{files}/note.txt",
            "--out",
            "{files}/result.json",
        ],
        {},
        "is also an input",
    ),
    (
        "review written over a link to its note",
        [
            "review",
            "{files}/result.json",
            "--note",
            "{files}/note.txt",
            "--out",
            "{files}/link.txt",
        ],
        {},
        "is also an input",
    ),
    (
        "review written over a file clh did not write",
        [
            "review",
            "{files}/result.json",
            "--note",
            "{files}/note.txt",
            "--out",
            "{files}/other.txt",
        ],
        {},
        "is not a file this command wrote",
    ),
    (
        "review of another note than the result's",
        ["review", "{files}/result.json", "--note", "{files}/other.txt", "--out", "{files}/p.html"],
        {},
        "was made from another note (fingerprint",
    ),
    (
        "review of a result without its note id",
        [
            "review",
            "{files}/partial-result.json",
            "--note",
            "{files}/note.txt",
            "--out",
            "{files}/p.html",
        ],
        {},
        "has no 'note_id'",
    ),
    (
        "calibrate on no note",
        ["calibrate", "--limit", "0", "--out", "/nonexistent/dir/cal.json"],
        {},
        "'--limit'",
    ),
    ("eval of no note", ["eval", "--coder", "baseline", "--limit", "0"], {}, "'--limit'"),
    (
        "eval of an empty JSONL",
        ["eval", "--dataset", "jsonl", "--data", "{files}/empty.jsonl", "--coder", "baseline"],
        {},
        "holds no note to code",
    ),
    (
        "batch of an empty JSONL",
        ["batch", "{files}/empty.jsonl", "--out", "{files}/empty-run"],
        {},
        "holds no note to code",
    ),
    (
        "batch into an existing file",
        ["batch", "{files}/notes.jsonl", "--out", "{files}/note.txt"],
        {},
        "is a file, not a run folder",
    ),
    (
        "Qdrant URL that is no URL",
        ["search", "fever", "--qdrant-url", "garbage://::nope"],
        {},
        "is not a URL",
    ),
    (
        "unknown search model",
        ["search", "fever", "--model", "no-such-model"],
        {},
        "unknown embedding model",
    ),
    (
        "unwritable cache with nothing built",
        ["lookup", "A00.0"],
        {"CLH_CACHE_DIR": "/proc/x"},
        "cannot be written",
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


def test_a_server_answering_a_web_page_is_named_as_such(cache: Path) -> None:
    server = FakeOpenAIServer(models_page="<html><body>Welcome</body></html>")
    with server.running():
        result = run(
            ["llm", "check"], cache, {"CLH_LLM_BASE_URL": server.base_url, "CLH_LLM_TIMEOUT": "20"}
        )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "answered GET /models with something that is not JSON" in lines[0]
    assert "cannot reach" not in lines[0] and "within" not in lines[0]


@pytest.fixture(scope="module")
def indexed(cache: Path) -> Path:
    built = run(["index", "build"], cache)
    assert built.returncode == 0, built.stderr
    return cache


def test_a_server_that_never_answers_is_an_error_and_resume_checks_the_note(
    indexed: Path, files: Path, tmp_path: Path
) -> None:
    server = FakeOpenAIServer()
    for _ in range(200):
        server.then("raw", "this is not a chat completion")
    checkpoint = str(tmp_path / "ck.sqlite")
    note, other = str(files / "note.txt"), str(files / "other.txt")
    with server.running():
        env = {"CLH_LLM_BASE_URL": server.base_url, "CLH_LLM_MAX_RETRIES": "0"}
        coded = run(["code", note, "--checkpoint", checkpoint, "--note-id", "n1"], indexed, env)
        assert coded.returncode == 2 and "No codeable content" not in coded.stdout
        last = coded.stderr.splitlines()[-1]
        assert last.startswith("clh: error: every model call failed") and "not a chat" in last
        again = [*("code", other, "--checkpoint", checkpoint, "--note-id", "n1", "--resume")]
        resumed = run(again, indexed, env)
        assert resumed.returncode == 2 and resumed.stdout == "", resumed.stderr
        assert "was made from another note (fingerprint" in resumed.stderr
        same = run([*again[:1], note, *again[2:]], indexed, env)
    assert "Blocked deserialization" not in same.stderr + resumed.stderr
    assert same.returncode == 2 and "every model call failed" in same.stderr


def test_a_batch_run_is_private_and_refuses_other_data(
    indexed: Path, files: Path, tmp_path: Path
) -> None:
    server = FakeOpenAIServer()
    for _ in range(200):
        server.then("json", completion("<answer>0</answer>"))
    out = tmp_path / "run"
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "a", "text": "Fever."}\n')
    with server.running():
        env = {"CLH_LLM_BASE_URL": server.base_url}
        batch = run(
            ["batch", str(files / "notes.jsonl"), "--out", str(out), "--html"], indexed, env
        )
        assert batch.returncode == 0, batch.stderr
        refused = run(["batch", str(other), "--out", str(out)], indexed, env)
    assert refused.returncode == 2 and "holds a run of other data" in refused.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for name in ("predictions.jsonl", "codes.csv", "pages/a.html"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    compared = run(["compare", str(out)], indexed)
    assert compared.returncode == 0, compared.stderr
    assert "No gold codes in these runs" in compared.stdout and "0.000" not in compared.stdout


def search(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(["search", *args], cache)


def test_search_answers_a_code_as_lookup_does(indexed: Path) -> None:
    card = run(["lookup", "A00.0"], indexed).stdout
    for query in ("a000", " A00.0 "):
        result = search(indexed, query)
        assert result.returncode == 0 and result.stdout == card, result.stderr
    ranged = search(indexed, "A00-A01")
    assert ranged.returncode == 0 and ranged.stdout.splitlines()[0].startswith(
        "A00  Fixture cholera"
    )
    assert "A00  Fixture cholera" in search(indexed, "A00.-").stdout


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("ZZZ.99", "is written as a code, but no ICD-10-CM code is shaped so"),
        ("A99.99", "A99.99 is not a code of the ICD-10-CM"),
        ("Lungenfibrose", "occur nowhere in the index, which is in English"),
        ("fibrose choleraique", "occur nowhere in the index, which is in English"),
    ],
)
def test_search_refuses_what_is_no_code_or_no_english(
    indexed: Path, query: str, words: str
) -> None:
    result = search(indexed, query)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert words in lines[0] and result.stdout == ""


def test_search_puts_the_main_term_first_and_a_larger_k_only_adds_below(indexed: Path) -> None:
    few = search(indexed, "Cholera", "-k", "2").stdout.splitlines()
    many = search(indexed, "Cholera", "-k", "8").stdout.splitlines()
    assert few[0].startswith(" 1. [index] Cholera ")
    ranked = [line for line in many if line[:3].strip().rstrip(".").isdigit()]
    assert len(ranked) > 2 and many[: len(few)] == few


def test_a_partial_alphabetic_index_is_a_visible_problem(tmp_path: Path) -> None:
    release = tmp_path / "release"
    shutil.copytree(FIXTURE_RELEASE, release)
    index = release / "mini-index.xml"
    text = index.read_text()
    start = text.index("<letter>", text.index("<letter>") + 1)
    index.write_text(text[:start] + "</ICD10CM.index>\n")  # well-formed, cut after letter A
    result = run(["lookup", "A00.0"], tmp_path / "cache", {"CLH_ICD_DIR": str(release)})
    assert result.returncode == 0, result.stderr
    assert "warning: partial Alphabetic Index: its letters stop at A" in result.stderr
