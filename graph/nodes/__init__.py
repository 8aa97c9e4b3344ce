"""One async node per agent, plus the pass bookkeeping nodes."""
