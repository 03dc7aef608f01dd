"""Readers: one module per input shape. Each returns observations in the count model and findings, nothing else."""
