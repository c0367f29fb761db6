"""Benchmarks (`python -m bench` = `make bench`): end-to-end throughput vs VADER, and an accuracy table."""
