"""Small builders of valid contract objects that several test modules need."""

from datetime import date
from typing import Any

from shared.contracts.enums import AgeBand, Agency, Gender
from shared.contracts.profile import ParticipantProfile


def profile(**overrides: Any) -> ParticipantProfile:
    """A valid participant profile in Gambir, Jakarta Pusat; override any field."""
    fields: dict[str, Any] = {
        "registered_on": date(2023, 1, 2),
        "gender": Gender.F,
        "age_band": AgeBand.AGE_25_34,
        "kota_code": "31.71",
        "kecamatan_code": "31.71.01",
        "kelurahan_code": "31.71.01.1001",
        "agency": Agency.PPKUKM,
        "disability": False,
        "ktp_dki": True,
    }
    return ParticipantProfile(**(fields | overrides))
