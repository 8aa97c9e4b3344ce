"""The ``clh`` console script: an interrupt while the command is still loading is one line too.

The root app imports little (each command loads its own module when it runs), but a Ctrl-C
while even that loads would otherwise print a traceback before ``clh.cli.main`` could report it.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Load the command line, then run it."""
    try:
        from clh.cli import main as run
    except KeyboardInterrupt:
        print("clh: interrupted", file=sys.stderr)
        sys.exit(130)
    run()
