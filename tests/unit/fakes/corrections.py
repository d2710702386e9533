"""The correction log in memory: `shared.corrections.lifecycle.CorrectionLog`, one entry per correction or
void, with the fact as it stood before the change (what FactCorrected and FactVoided restate)."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.contracts.corrections import CorrectableFact


@dataclass(frozen=True)
class Logged:
    action: str  # corrected | voided
    fact: CorrectableFact
    fact_id: UUID
    new_on: date | None
    by: str
    reason: str


@dataclass(frozen=True)
class FakeCorrectionLog:
    logged: list[Logged]

    async def corrected(
        self, fact: CorrectableFact, *, fact_id: UUID, new_on: date, by: str, reason: str
    ) -> None:
        self.logged.append(Logged("corrected", fact, fact_id, new_on, by, reason))

    async def voided(self, fact: CorrectableFact, *, fact_id: UUID, by: str, reason: str) -> None:
        self.logged.append(Logged("voided", fact, fact_id, None, by, reason))
