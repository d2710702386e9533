"""Keeping a registered record right (PATCH): any registration field, under every registration rule again.

The fields given replace the stored ones and the whole record then meets the rules of a registration (a
corrected NIK must fit the birth date and gender, a kelurahan its kecamatan …). `registered_on` may not
move after the participant's earliest stage fact (domain.stage_facts). Free of I/O: the NIK's uniqueness
and the caller's area are the handler's.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from services.registration.domain.audit import FieldChange, Value
from services.registration.domain.participant import Participant, RegisterParticipant, register
from services.registration.domain.stage_facts import registration_date_problem
from shared.errors import RuleViolation

# Never valued in the audit trail (it outlives an erasure); a business is often named after its owner.
PERSONAL_FIELDS = frozenset({"nik", "full_name", "birth_date", "phone", "email", "business_name"})


@dataclass(frozen=True)
class EditParticipant:
    reason: str
    changes: Mapping[str, Any]  # field of RegisterParticipant → its new value, shapes already checked

    def __post_init__(self) -> None:
        if not self.changes:
            raise RuleViolation("nothing to change: give at least one field besides the reason")


def as_command(p: Participant) -> RegisterParticipant:
    """The registration that states the participant as stored."""
    return RegisterParticipant(
        nik=p.nik,
        full_name=p.full_name,
        gender=p.gender,
        birth_date=p.birth_date,
        phone=p.phone,
        email=p.email,
        disability=p.disability,
        domicile=p.domicile,
        business=p.business,
        agency=p.agency,
        registered_on=p.registered_on,
    )


def edit(
    existing: Participant, command: EditParticipant, today: date, earliest_fact: date | None
) -> Participant:
    """The participant as the edit states them: the same id, every rule checked again."""
    stated = replace(as_command(existing), **command.changes)
    after = existing.succeeded_by(register(stated, today))
    moved = after.registered_on != existing.registered_on
    if moved and (refusal := registration_date_problem(after.registered_on, earliest_fact)):
        raise refusal
    return after


def changes_between(before: Participant, after: Participant) -> tuple[FieldChange, ...]:
    """Every field that differs, in a fixed order; personal fields without their values."""
    old, new = _flat(before), _flat(after)
    return tuple(
        FieldChange(name, None, None) if name in PERSONAL_FIELDS else FieldChange(name, old[name], new[name])
        for name in old
        if old[name] != new[name]
    )


def _flat(p: Participant) -> dict[str, Value]:
    return {
        "nik": p.nik,
        "full_name": p.full_name,
        "gender": p.gender.value,
        "birth_date": p.birth_date.isoformat(),
        "phone": p.phone,
        "email": p.email,
        "disability": p.disability,
        "kota_code": p.domicile.kota_code,
        "kecamatan_code": p.domicile.kecamatan_code,
        "kelurahan_code": p.domicile.kelurahan_code,
        "business_name": p.business.name if p.business else None,
        "sector": p.business.sector.value if p.business else None,
        "agency": p.agency.value,
        "registered_on": p.registered_on.isoformat(),
    }
