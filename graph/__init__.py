"""The coding graph: evidence_extractor, index_navigator, tabular_validator, code_reconciler."""
