"""Run the command line with ``python -m clh``."""

from clh.entry import main

main()
