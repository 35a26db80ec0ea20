"""What the launcher gives every service's process beyond the settings."""

from __future__ import annotations

from pathlib import Path


def test_every_service_runs_numpy_on_one_blas_thread(product_stack) -> None:  # type: ignore[no-untyped-def]
    # Spinning OpenBLAS threads cost Rasa about 6 ms of CPU per message on 2 cores (handoff/ops/stack.py).
    for service in product_stack.services:
        assert service.process is not None
        environment = Path(f"/proc/{service.process.pid}/environ").read_bytes().split(b"\0")
        assert b"OPENBLAS_NUM_THREADS=1" in environment, service.name
