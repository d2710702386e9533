"""A stage's correct and void use cases: the shared lifecycle over the stage's store, one transaction each."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.corrections import lifecycle
from shared.corrections.lifecycle import CorrectDate, CorrectionStore, Fact, VoidFact
from shared.corrections.log import SqlCorrectionLog
from shared.dates import jakarta_today
from shared.outbox.unit_of_work import Transaction, UnitOfWork


@dataclass(frozen=True)
class SqlStore:
    """The base of a stage's `CorrectionStore`: its facts in the transaction's connection."""

    conn: AsyncConnection


@dataclass(frozen=True)
class StageCorrections(Generic[Fact]):
    log: Table  # the service's correction log
    date_field: str  # the field of the fact's event that a correction changes
    store: Callable[[AsyncConnection], CorrectionStore[Fact, Any]]
    log_same_date: bool = False  # see lifecycle.correct

    async def correct(self, uow: UnitOfWork, command: CorrectDate) -> Fact:
        async with uow.begin() as tx:
            return await lifecycle.correct(
                self.store(tx.conn),
                self._log(tx),
                command,
                jakarta_today(),
                log_same_date=self.log_same_date,
            )

    async def void(self, uow: UnitOfWork, command: VoidFact) -> Fact:
        async with uow.begin() as tx:
            return await lifecycle.void(self.store(tx.conn), self._log(tx), command, datetime.now(UTC))

    def _log(self, tx: Transaction) -> SqlCorrectionLog:
        return SqlCorrectionLog(tx, self.log, self.date_field)
