"""Plain typed functions the agents call: index search, tabular look-up, guideline fetch."""
