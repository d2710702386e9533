"""Non-identifying breakdown attributes of a participant, carried on every participant event."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.enums import AgeBand, Agency, Gender, Sector

KOTA_CODE = r"^31\.\d{2}$"
KECAMATAN_CODE = r"^31\.\d{2}\.\d{2}$"
KELURAHAN_CODE = r"^31\.\d{2}\.\d{2}\.\d{4}$"


class ParticipantProfile(BaseModel):
    """What reporting may break figures down by. Never a name, NIK, phone, e-mail or birth date.

    `registered_on` places a stage fact in its registration cohort (the funnel) without joining topics.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    registered_on: date
    gender: Gender
    age_band: AgeBand
    kota_code: str = Field(pattern=KOTA_CODE)
    kecamatan_code: str = Field(pattern=KECAMATAN_CODE)
    kelurahan_code: str = Field(pattern=KELURAHAN_CODE)
    sector: Sector | None = Field(default=None, description="None when no business was declared")
    agency: Agency
    disability: bool
    ktp_dki: bool = Field(description="NIK issued in DKI Jakarta (province 31)")
