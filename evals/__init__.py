"""Benchmarks and evaluations of clh; each script prints the numbers it measures."""
