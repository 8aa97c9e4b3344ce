"""The ``clh`` command line: thin commands over icd_resources, tools, graph and evals."""
