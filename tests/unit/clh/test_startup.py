"""What the quick commands import: never the model stack, the graph or scientific Python.

Each case runs a fresh interpreter and reads its ``sys.modules`` at exit, so a heavy import
added anywhere on the path of ``clh --help``, ``clh check`` or ``clh lookup`` fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clh import cli
from tests.conftest import FIXTURE_RELEASE

HEAVY = ("scipy", "torch", "langgraph", "openai", "langchain_core", "nltk")

# Runs the command line as the console script does, then prints the top-level packages loaded.
_WRAPPER = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})),
                              file=sys.stderr))
sys.argv = ["clh", *sys.argv[1:]]
from clh.entry import main
main()
"""


def loaded_packages(args: list[str], cache: Path) -> tuple[int, set[str], str]:
    """Run ``clh ARGS`` in a fresh interpreter; return its exit code, packages and stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLH_")}
    env.update({"CLH_CACHE_DIR": str(cache), "CLH_ICD_DIR": str(FIXTURE_RELEASE)})
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    last = done.stderr.strip().splitlines()[-1]
    return done.returncode, set(json.loads(last)), done.stdout


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("startup-cache")
    code, _, _ = loaded_packages(["resources", "build"], cache)
    assert code == 0
    return cache


def test_importing_the_command_line_loads_no_heavy_package() -> None:
    script = "import clh.cli, sys; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(done.stdout.split())
    assert "clh" in loaded and "typer" in loaded  # the probe sees what was imported
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize(
    ("args", "shows"),
    [
        (["--help"], "check"),
        (["check", "A00.0", "A00.9"], "A00.9"),
        (["lookup", "A00.0"], "A00.0"),
        (["review", "--help"], "review page"),
    ],
)
def test_quick_commands_load_no_heavy_package(cache: Path, args: list[str], shows: str) -> None:
    code, loaded, out = loaded_packages(args, cache)
    assert code == 0 and shows in out
    assert "clh" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_search_loads_no_model_client_or_graph(cache: Path) -> None:
    _, loaded, _ = loaded_packages(["search", "--help"], cache)
    assert loaded.isdisjoint({"langgraph", "openai", "langchain_core", "nltk", "scipy"})


def test_the_probe_sees_a_command_that_loads_the_model_client(cache: Path) -> None:
    # `clh llm` needs the model client: the same probe reports it.
    _, loaded, _ = loaded_packages(["llm", "--help"], cache)
    assert "openai" in loaded


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_the_listed_help_is_the_commands_own(name: str) -> None:
    command = cli.load_command(name)
    assert command.name == name
    assert (command.help or "").strip().splitlines()[0] == cli.COMMANDS[name][2]
