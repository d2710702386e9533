from dataclasses import replace
from datetime import date

import pytest
from pydantic import ValidationError

from services.registration.api.schemas import BatchIn, LookupIn, ParticipantIn
from services.registration.domain.batch import RowResult
from services.registration.domain.participant import (
    Business,
    Domicile,
    RegisterParticipant,
    register,
)
from shared.contracts.enums import AgeBand, Agency, Gender, Sector
from shared.errors import RuleViolation
from tests.unit.test_nik import UNICODE_DIGIT_NIKS

TODAY = date(2024, 6, 30)
COMMAND = RegisterParticipant(
    nik="3171014509900001",
    full_name="Siti Aminah",
    gender=Gender.F,
    birth_date=date(1990, 9, 5),
    phone="081234567890",
    email="siti@example.org",
    disability=False,
    domicile=Domicile("31.71", "31.71.01", "31.71.01.1001"),
    business=Business("Warung Siti", Sector.KULINER),
    agency=Agency.PPKUKM,
    registered_on=None,
)


def test_registration_defaults_to_today_and_derives_the_profile() -> None:
    participant = register(COMMAND, TODAY)
    assert participant.registered_on == TODAY
    profile = participant.profile()
    assert profile.age_band is AgeBand.AGE_25_34
    assert profile.ktp_dki is True
    assert profile.sector is Sector.KULINER


def test_the_event_carries_no_personal_data() -> None:
    event = register(COMMAND, TODAY).registered_event().model_dump_json()
    for personal in ("3171014509900001", "Siti", "081234567890", "siti@example.org", "1990-09-05"):
        assert personal not in event


def test_a_backdated_registration_keeps_its_date() -> None:
    participant = register(replace(COMMAND, registered_on=date(2022, 10, 17)), TODAY)
    assert participant.registered_on == date(2022, 10, 17)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"registered_on": date(2017, 12, 31)}, "before the programme start"),
        ({"registered_on": date(2024, 7, 1)}, "after today"),
        ({"domicile": Domicile("31.71", "31.72.01", "31.72.01.1001")}, "does not belong"),
        ({"domicile": Domicile("31.71", "31.71.01", "31.71.02.1001")}, "does not belong"),
        ({"domicile": Domicile("31.99", "31.99.01", "31.99.01.1001")}, "unknown kota"),
        ({"nik": "3171014509900000"}, "serial"),
    ],
)
def test_rules_refuse_with_a_reason(change: dict[str, object], reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason):
        register(replace(COMMAND, **change), TODAY)  # type: ignore[arg-type]


def test_a_participant_without_business_has_no_sector() -> None:
    assert register(replace(COMMAND, business=None), TODAY).profile().sector is None


BODY = {
    "nik": "3171014509900001",
    "full_name": "Siti Aminah",
    "gender": "F",
    "birth_date": "1990-09-05",
    "domicile": {"kota_code": "31.71", "kecamatan_code": "31.71.01", "kelurahan_code": "31.71.01.1001"},
}


@pytest.mark.parametrize("nik", UNICODE_DIGIT_NIKS)
def test_the_api_and_the_batch_take_a_nik_of_ascii_digits_only(nik: str) -> None:
    assert ParticipantIn.model_validate(BODY).nik == BODY["nik"]
    with pytest.raises(ValidationError):
        ParticipantIn.model_validate({**BODY, "nik": nik})
    checked = BatchIn(rows=[{**BODY, "nik": nik}, BODY]).commands()
    assert isinstance(checked[0], RowResult) and checked[0].code == "validation_error"
    assert isinstance(checked[1], RegisterParticipant)
    with pytest.raises(ValidationError):
        LookupIn.model_validate({"nik": nik})
