"""Permit applications: an NIB first (it identifies the business), then the permits a product needs.

Each type takes its own time to decide; an application still undecided at the period's end stays `applied`,
and a few are rejected. About 21 % of the registered count in issued permits (PRODUCT.md §1).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from operator_cli.demo.days import lag, later_workday
from operator_cli.demo.model import Period, PermitCase, Person
from shared.contracts.enums import PermitType, Sector

APPLY_RATE = 0.2  # of people with a business, times drive
NO_BUSINESS_APPLY_RATE = 0.02
REAPPLY_AFTER_REJECTION = 0.6


@dataclass(frozen=True)
class Kind:
    median_days: float  # from application to decision
    rejected: float


KINDS = {
    PermitType.NIB: Kind(1, 0.03),  # OSS-RBA: mostly the same or next day
    PermitType.SPP_IRT: Kind(21, 0.08),
    PermitType.HALAL: Kind(35, 0.06),
    PermitType.BPOM_MD: Kind(75, 0.15),
    PermitType.HKI: Kind(180, 0.1),
}
FOLLOW_UPS = {  # after the NIB: which permits each sector asks for, and how often
    Sector.KULINER: {PermitType.SPP_IRT: 0.5, PermitType.HALAL: 0.35, PermitType.BPOM_MD: 0.06},
    Sector.INDUSTRI: {PermitType.HALAL: 0.1, PermitType.BPOM_MD: 0.08, PermitType.HKI: 0.08},
    Sector.FESYEN: {PermitType.HKI: 0.12},
    Sector.KRIYA: {PermitType.HKI: 0.12},
    Sector.AGRIBISNIS: {PermitType.HALAL: 0.1},
}
DEFAULT_FOLLOW_UPS = {PermitType.HKI: 0.04}
REASONS = {
    PermitType.NIB: "Data pelaku usaha tidak sesuai dengan KTP",
    PermitType.SPP_IRT: "Label kemasan belum sesuai ketentuan",
    PermitType.HALAL: "Dokumen bahan baku belum lengkap",
    PermitType.BPOM_MD: "Hasil uji laboratorium belum memenuhi syarat",
    PermitType.HKI: "Merek memiliki persamaan pada pokoknya dengan merek terdaftar",
}


class PermitPlanner:
    def __init__(self, rng: random.Random, period: Period) -> None:
        self.rng = rng
        self.period = period
        self.numbers: set[tuple[PermitType, str]] = set()  # unique per type, as the service requires

    def cases(self, person: Person, drive: float) -> tuple[PermitCase, ...]:
        rng = self.rng
        rate = APPLY_RATE * drive if person.sector else NO_BUSINESS_APPLY_RATE
        if rng.random() >= rate:
            return ()
        cases = []
        applied_on = later_workday(rng, person.registered_on, 30, 0.9)
        nib = self.decide(PermitType.NIB, applied_on)
        while nib is not None:
            cases.append(nib)
            if nib.rejected_on is None or rng.random() >= REAPPLY_AFTER_REJECTION:
                break
            nib = self.decide(PermitType.NIB, later_workday(rng, nib.rejected_on, 14))
        if nib is None or nib.issued_on is None:
            return tuple(cases)
        follow_ups = FOLLOW_UPS.get(person.sector, DEFAULT_FOLLOW_UPS) if person.sector else {}
        for permit_type, share in follow_ups.items():
            if rng.random() < share:
                case = self.decide(permit_type, later_workday(rng, nib.issued_on, 30))
                cases.extend([case] if case else [])
        return tuple(cases)

    def decide(self, permit_type: PermitType, applied_on: date) -> PermitCase | None:
        """The application and its outcome as far as the period reaches; None if applied after it."""
        if applied_on > self.period.end:
            return None
        kind = KINDS[permit_type]
        decided_on = applied_on + lag(self.rng, kind.median_days, 0.5)
        if decided_on > self.period.end:
            return PermitCase(permit_type, applied_on)
        if self.rng.random() < kind.rejected:
            return PermitCase(permit_type, applied_on, rejected_on=decided_on, reason=REASONS[permit_type])
        number = self.number(permit_type, decided_on)
        return PermitCase(permit_type, applied_on, issued_on=decided_on, permit_number=number)

    def number(self, permit_type: PermitType, issued_on: date) -> str:
        """Numbers shaped like the real ones, never a bare 16-digit run (that would look like a NIK)."""
        while True:
            digits = self.rng.randrange(10**12, 10**13)
            number = {
                PermitType.NIB: f"{digits}",
                PermitType.SPP_IRT: f"P-IRT {digits}-{(issued_on.year + 5) % 100:02d}",
                PermitType.HALAL: f"ID{digits}{self.rng.randrange(10**4, 10**5)}",
                PermitType.BPOM_MD: f"MD {digits % 10**12:012d}",
                PermitType.HKI: f"IDM{digits % 10**9:09d}",
            }[permit_type]
            if (permit_type, number) not in self.numbers:
                self.numbers.add((permit_type, number))
                return number
