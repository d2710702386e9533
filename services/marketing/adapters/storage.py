"""The marketing repositories wired to the database: every one bound to the same transaction, or to one
read-only connection for queries."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from services.marketing.adapters.exhibitions import (
    SqlExhibitions,
    SqlExhibitionsView,
    SqlShowcases,
    SqlShowcasesView,
)
from services.marketing.adapters.products import SqlProducts, SqlProductsView
from services.marketing.adapters.repositories import MarketingStorage
from services.marketing.adapters.tables import correction_log, known_participants
from shared.contracts.corrections import redated_field
from shared.contracts.events import ProductShowcased
from shared.corrections.log import SqlCorrectionLog
from shared.outbox.unit_of_work import Repositories, Transaction, UnitOfWork
from shared.participants.known import KnownParticipants

SHOWN_ON = redated_field(ProductShowcased)  # the date field corrections change


@dataclass(frozen=True)
class SqlMarketingWrites:
    products: SqlProducts
    exhibitions: SqlExhibitions
    showcases: SqlShowcases
    participants: KnownParticipants
    corrections: SqlCorrectionLog

    @classmethod
    def on(cls, tx: Transaction) -> "SqlMarketingWrites":
        conn = tx.conn
        return cls(
            SqlProducts(conn, tx),
            SqlExhibitions(conn, tx),
            SqlShowcases(conn, tx),
            KnownParticipants(conn, known_participants),
            SqlCorrectionLog(tx, correction_log, SHOWN_ON),
        )


@dataclass(frozen=True)
class SqlMarketingReads:
    products: SqlProductsView
    exhibitions: SqlExhibitionsView
    showcases: SqlShowcasesView
    participants: KnownParticipants

    @classmethod
    def on(cls, conn: AsyncConnection) -> "SqlMarketingReads":
        return cls(
            SqlProductsView(conn),
            SqlExhibitionsView(conn),
            SqlShowcasesView(conn),
            KnownParticipants(conn, known_participants),
        )


def marketing_storage(uow: UnitOfWork) -> MarketingStorage:
    return Repositories(uow, writes=SqlMarketingWrites.on, reads=SqlMarketingReads.on)
