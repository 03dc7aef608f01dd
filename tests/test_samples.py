"""The demo's samples are what their README says: the made-up network audit is exactly what its generator writes."""
from __future__ import annotations

import importlib.util

from .conftest import NETWORK_SAMPLE, SAMPLES


def test_the_made_up_network_audit_is_what_its_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_demo_network_audit", SAMPLES / "make_demo_network_audit.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.OUT = tmp_path / NETWORK_SAMPLE.name
    assert generator.write().read_bytes() == NETWORK_SAMPLE.read_bytes()
    header = NETWORK_SAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "Name" not in header and "License Plate" not in header  # the December 2025 export: no personal columns
