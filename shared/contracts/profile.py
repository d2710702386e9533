"""Non-identifying breakdown attributes of a participant, carried on every participant event."""

from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.enums import AgeBand, Agency, Gender, Sector

# Dotted Kemendagri codes of any province (shapes only: which regions a deployment serves is its programme
# area, shared.regions). [0-9] rather than \d, which would take other Unicode digits too.
PROVINSI_CODE = r"^[0-9]{2}$"
KOTA_CODE = r"^[0-9]{2}\.[0-9]{2}$"
KECAMATAN_CODE = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$"
KELURAHAN_CODE = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$"


class ParticipantProfile(BaseModel):
    """What reporting may break figures down by. Never a name, NIK, phone, e-mail or birth date.

    `registered_on` places a stage fact in its registration cohort (the funnel) without joining topics.
    `provinsi_code` came with the national region model: a profile written before it (an older event, a
    stored copy) has none, and is read with the province its `kota_code` names — so it is always set.

    `revision` orders the profiles one participant has had: registration states 0 at registration and one
    more with each change of the profile, and the services that follow registration send on the revision
    of the profile they hold. So a consumer that sees a participant's profiles in any order (they travel on
    different topics) knows which one is current. Events written before it have none and read as 0.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    registered_on: date
    gender: Gender
    age_band: AgeBand
    provinsi_code: str | None = Field(
        default=None,
        pattern=PROVINSI_CODE,
        description="The province of kota_code (its first two digits); set from kota_code when absent",
    )
    kota_code: str = Field(pattern=KOTA_CODE)
    kecamatan_code: str = Field(pattern=KECAMATAN_CODE)
    kelurahan_code: str = Field(pattern=KELURAHAN_CODE)
    sector: Sector | None = Field(default=None, description="None when no business was declared")
    agency: Agency
    disability: bool
    ktp_dki: bool = Field(description="NIK issued in DKI Jakarta (province 31)")
    revision: int = Field(
        default=0,
        ge=0,
        description="Registration's count of changes to this participant's profile: the highest is current",
    )

    @model_validator(mode="before")
    @classmethod
    def _provinsi_of_kota(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and data.get("provinsi_code") is None
            and isinstance(data.get("kota_code"), str)
        ):
            return {**data, "provinsi_code": data["kota_code"][:2]}
        return data

    @model_validator(mode="after")
    def _provinsi_contains_kota(self) -> Self:
        if self.provinsi_code != self.kota_code[:2]:
            raise ValueError(
                f"provinsi_code {self.provinsi_code} is not the province of kota {self.kota_code}"
            )
        return self
