"""Run the command line with ``python -m clh``."""

from clh.cli import main

main()
