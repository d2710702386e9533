from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack import Endpoints
from tests.integration.stack import Stack, running_stack


@pytest.fixture(scope="module")
def stack(infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Fresh topics, keyspace and databases per test module; services stopped at the end."""
    with running_stack(infra, tmp_path_factory.mktemp("stack")) as started:
        yield started
