"""The CLI as a user runs it: a subprocess, its stdout, its stderr and its exit code."""

from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_RELEASE


def clh(
    *args: str, cache: Path, icd_dir: Path | None = FIXTURE_RELEASE
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLH_")}
    env["CLH_CACHE_DIR"] = str(cache)
    if icd_dir is not None:
        env["CLH_ICD_DIR"] = str(icd_dir)
    return subprocess.run(
        [sys.executable, "-m", "clh", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_lookup_prints_a_card(tmp_path: Path) -> None:
    result = clh("lookup", "s060x1a", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "S06.0X1A  Fixture concussion with brief loss of consciousness, initial encounter"
    )
    assert "Billable: yes" in result.stdout
    assert "7th character note [S06]" in result.stdout
    assert "    A  initial encounter" in result.stdout


def test_lookup_json_and_non_billable(tmp_path: Path) -> None:
    result = clh("lookup", "S06.0", "--json", cache=tmp_path)
    card = json.loads(result.stdout)
    assert card["billable"] is False
    needs = clh("lookup", "S06.0X1", cache=tmp_path)
    assert "Billable: no - needs a 7th character" in needs.stdout
    assert card["billable_descendants"] == ["S06.0X1A", "S06.0X1D", "S06.0X1S", "S06.0X7A"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "A00.8",
            "A00.8 is not in the ICD-10-CM 2099 tabular list; its nearest existing ancestor is A00",
        ),
        ("zz", "'zz' is not a well-formed ICD-10-CM code"),
    ],
)
def test_bad_codes_are_one_clear_line(tmp_path: Path, code: str, message: str) -> None:
    result = clh("lookup", code, cache=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(f"clh: error: {message}")
    assert "Traceback" not in result.stderr


def test_a_partial_release_says_so_where_a_code_is_missing(tmp_path: Path) -> None:
    # The fixture release has a few chapters: a code it lacks may exist in a full release.
    result = clh("lookup", "I10", cache=tmp_path)
    assert result.returncode == 2
    assert "beware: partial Tabular List" in result.stderr
    stats = clh("resources", "stats", cache=tmp_path)
    assert "PROBLEM     tabular: partial Tabular List" in stats.stdout


def test_missing_release_says_how_to_fix(tmp_path: Path) -> None:
    result = clh("resources", "stats", cache=tmp_path, icd_dir=tmp_path / "nowhere")
    assert result.returncode == 2
    assert "CLH_ICD_DIR" in result.stderr and "clh resources fetch" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_then_reuse_and_stats_json(tmp_path: Path) -> None:
    first = clh("resources", "build", cache=tmp_path)
    assert first.returncode == 0 and first.stdout.startswith("built ")
    second = clh("resources", "build", cache=tmp_path)
    assert second.stdout.startswith("up to date")
    stats = json.loads(clh("resources", "stats", "--json", cache=tmp_path).stdout)
    assert stats["release"] == "2099"
    assert {f["kind"] for f in stats["files"]} == {"tabular", "index", "eindex", "drug", "neoplasm"}


@pytest.fixture
def release_server(tmp_path: Path) -> Iterator[str]:
    """Serve a zip of the fixture release (nested, as CMS ships it) on loopback."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zipped:
        for path in FIXTURE_RELEASE.glob("mini-*.xml"):
            zipped.write(path, path.name)
    outer = tmp_path / "www" / "tables.zip"
    outer.parent.mkdir()
    with zipfile.ZipFile(outer, "w") as zipped:
        zipped.writestr("xml/release-xml.zip", inner.getvalue())
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(outer.parent))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tables.zip"
    server.shutdown()


def test_fetch_downloads_and_unpacks_nested_zips(tmp_path: Path, release_server: str) -> None:
    result = clh(
        "resources",
        "fetch",
        "--year",
        "2099",
        "--url",
        release_server,
        cache=tmp_path / "cache",
        icd_dir=None,
    )
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "cache" / "release" / "2099").rglob("mini-list.xml"))
    # with no --icd-dir and no CLH_ICD_DIR, clh reads what fetch downloaded
    looked_up = clh("lookup", "A00.0", cache=tmp_path / "cache", icd_dir=None)
    assert looked_up.returncode == 0, looked_up.stderr


def test_fetch_offline_is_a_clear_error(tmp_path: Path) -> None:
    result = clh(
        "resources",
        "fetch",
        "--year",
        "2026",
        "--url",
        "http://127.0.0.1:9/x.zip",
        cache=tmp_path,
        icd_dir=None,
    )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("clh: error: could not download http://127.0.0.1:9/x.zip")
    assert "--icd-dir" in last and "Traceback" not in result.stderr


def crash_with_cache_in(monkeypatch, cache_dir: str, capsys) -> str:
    """Run the CLI with an app that raises an unforeseen error; return its stderr."""
    from clh import cli

    def boom(**_: object) -> None:
        raise RuntimeError("synthetic failure")

    monkeypatch.setenv("CLH_CACHE_DIR", cache_dir)
    monkeypatch.setattr(cli, "app", boom)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    return str(capsys.readouterr().err)


def test_an_unforeseen_error_is_one_line_and_a_log(monkeypatch, tmp_path: Path, capsys) -> None:
    err = crash_with_cache_in(monkeypatch, str(tmp_path), capsys)
    assert err.startswith("clh: unexpected error: RuntimeError: synthetic failure")
    (log,) = (tmp_path / "logs").iterdir()
    assert "Traceback" in log.read_text() and "Traceback" not in err


def test_an_unwritable_crash_file_is_one_more_line_not_a_traceback(
    monkeypatch, tmp_path: Path, capsys
) -> None:
    err = crash_with_cache_in(monkeypatch, "/proc/clh-cannot-write-here", capsys)
    assert err.startswith("clh: unexpected error: RuntimeError: synthetic failure")
    assert "the traceback could not be written to /proc/clh-cannot-write-here/logs" in err
    assert "Traceback" not in err
