"""A stage's correct and void handlers: the shared lifecycle in one transaction of the stage's storage.

Each stage names what its transaction offers the lifecycle (its facts as a `CorrectionStore`, its
correction log) and gets both handlers; they run on the database and on the unit tests' fakes alike.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from shared.corrections import lifecycle
from shared.corrections.lifecycle import CorrectDate, CorrectionLog, CorrectionStore, Fact, VoidFact
from shared.dates import jakarta_today
from shared.outbox.unit_of_work import Storage

Writes = TypeVar("Writes")


@dataclass(frozen=True)
class StageCorrections(Generic[Writes, Fact]):
    facts: Callable[[Writes], CorrectionStore[Fact, Any]]  # the stage's facts in the transaction
    log: Callable[[Writes], CorrectionLog]  # its correction log there
    log_same_date: bool = False  # see lifecycle.correct

    async def correct(self, uow: Storage[Writes, Any], command: CorrectDate) -> Fact:
        """Re-date the fact; correcting it to the date it already has changes nothing (unless logged)."""
        async with uow.begin() as tx:
            return await lifecycle.correct(
                self.facts(tx), self.log(tx), command, jakarta_today(), log_same_date=self.log_same_date
            )

    async def void(self, uow: Storage[Writes, Any], command: VoidFact) -> Fact:
        """Withdraw the fact recorded by mistake; it is kept, marked voided."""
        async with uow.begin() as tx:
            return await lifecycle.void(self.facts(tx), self.log(tx), command, datetime.now(UTC))
