"""Outside registration too, a region must lie in the programme area (PROGRAMME_AREA), not only Jakarta."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from services.mentoring.commands import AssignMentor
from services.mentoring.domain.mentor import UnknownKecamatan, assign
from services.reporting.labels import known_keys, label
from services.reporting.metrics import Dimension
from services.reporting.target_scopes import scope_keys, scope_label
from services.training.domain.training import check_schedule
from shared.auth.principal import Role, Unauthorized
from shared.auth.settings import AuthSettings
from shared.auth.tokens import mint, verify
from shared.contracts.enums import TargetScope
from shared.errors import RuleViolation
from shared.regions import programme_area

DEV = AuthSettings(environment="development")
STARTS, ENDS = date(2025, 3, 3), date(2025, 3, 7)


@pytest.fixture
def jawa_barat(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PROGRAMME_AREA", "32")
    programme_area.cache_clear()
    yield
    monkeypatch.delenv("PROGRAMME_AREA")
    programme_area.cache_clear()


@pytest.mark.usefixtures("jawa_barat")
def test_a_class_is_scheduled_in_a_kota_of_the_programme_area_only() -> None:
    check_schedule(STARTS, ENDS, "32.73")  # Kota Bandung
    with pytest.raises(RuleViolation, match=r"unknown kota 31\.71 \(not a kota/kabupaten of Jawa Barat\)"):
        check_schedule(STARTS, ENDS, "31.71")


def test_by_default_a_class_is_scheduled_in_jakarta() -> None:
    check_schedule(STARTS, ENDS, "31.71")
    with pytest.raises(RuleViolation, match=r"unknown kota 32\.73 \(not a kota/kabupaten of DKI Jakarta\)"):
        check_schedule(STARTS, ENDS, "32.73")


@pytest.mark.usefixtures("jawa_barat")
def test_a_token_is_scoped_to_a_kota_of_the_programme_area_only() -> None:
    assert verify(DEV, mint(DEV, subject="officer-1", roles=[Role.REGISTRAR], kota="32.73")).kota == "32.73"
    with pytest.raises(Unauthorized, match="kota claim must be one kota code of the programme area"):
        verify(DEV, mint(DEV, subject="officer-1", roles=[Role.REGISTRAR], kota="31.71"))


@pytest.mark.usefixtures("jawa_barat")
def test_a_mentor_is_assigned_to_a_kecamatan_of_the_programme_area_only() -> None:
    mentor = assign(AssignMentor("NIP-1", "Siti Rahmawati", "32.73.01", STARTS), ENDS)
    assert (mentor.kota_code, mentor.kecamatan_code) == ("32.73", "32.73.01")
    with pytest.raises(
        UnknownKecamatan, match=r"unknown kecamatan 31\.71\.01 \(not a kecamatan of Jawa Barat\)"
    ):
        assign(AssignMentor("NIP-2", "Siti Rahmawati", "31.71.01", STARTS), ENDS)


@pytest.mark.usefixtures("jawa_barat")
def test_breakdown_rows_and_target_scopes_are_the_programme_areas() -> None:
    assert "32.73" in known_keys(Dimension.KOTA) and "31.71" not in known_keys(Dimension.KOTA)
    assert label(Dimension.KOTA, "32.73") == programme_area().label("32.73") != "32.73"
    assert "32.73.01" in scope_keys(TargetScope.KECAMATAN)
    assert scope_keys(TargetScope.PROVINCE) == ["32"]
    assert scope_label(TargetScope.PROVINCE, "32") == "Jawa Barat"
