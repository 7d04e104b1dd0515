"""Simulated state DMVs and agencies."""
