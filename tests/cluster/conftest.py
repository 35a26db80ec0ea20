"""The ``cluster`` fixture: the replicated set-up (tests/cluster/harness.py), shared by a module's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.harness import Cluster, running_cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Cluster]:
    with running_cluster(tmp_path_factory.mktemp("cluster"), trained_model) as started:
        yield started
