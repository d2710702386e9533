"""Ids as one comma-separated text parameter (registration's resolve and audit on PostgreSQL)."""

from uuid import uuid4

import pytest

from services.registration.adapters import id_lists


def test_ids_join_with_commas_and_none_travels_as_the_null_marker() -> None:
    ids = [str(uuid4()), None, str(uuid4())]
    assert id_lists.joined(ids) == f"{ids[0]},-,{ids[2]}"
    assert id_lists.joined([None]) == "-"  # one entry about nobody: one NULL, not an empty array


@pytest.mark.parametrize("bad", ["a,b", "-", ","])
def test_an_id_that_would_split_or_read_as_null_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="id list"):
        id_lists.joined([str(uuid4()), bad])
