"""A Ctrl-C while the command line is still loading is one line, not a traceback."""

from __future__ import annotations

import importlib.abc
import sys
from typing import Any

import pytest

from clh import entry


class InterruptedLoad(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name == "clh.cli":
            raise KeyboardInterrupt


def test_an_interrupt_while_loading_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "clh.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [InterruptedLoad(), *sys.meta_path])
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "clh: interrupted\n"
