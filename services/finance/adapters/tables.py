"""The finance database: reports, financing applications and their disbursements, the participants
registration told us of, the correction log and the outbox."""

from sqlalchemy import BigInteger, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table

from shared.corrections.log import correction_log_table
from shared.corrections.voids import LIVE, void_columns
from shared.db.keyset import seq_column
from shared.outbox import outbox_table
from shared.participants.directory import participant_tables

metadata = MetaData()

financial_reports = Table(
    "financial_reports",
    metadata,
    seq_column(),
    Column("report_id", String(36), nullable=False, unique=True),
    Column("participant_id", String(36), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("revenue", BigInteger, nullable=False, doc="whole rupiah"),
    Column("expenses", BigInteger, nullable=False, doc="whole rupiah"),
    Column("employees", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    *void_columns(),
)
# One live report per participant and period: the index, not a read-then-write, decides concurrent submits.
Index(
    "ux_financial_reports_one_live_per_period",
    financial_reports.c.participant_id,
    financial_reports.c.period_start,
    financial_reports.c.period_end,
    unique=True,
    sqlite_where=LIVE,
    postgresql_where=LIVE,
)
Index("ix_financial_reports_participant_seq", financial_reports.c.participant_id, financial_reports.c.seq)

financing_applications = Table(
    "financing_applications",
    metadata,
    seq_column(),
    Column("application_id", String(36), nullable=False, unique=True),
    Column("participant_id", String(36), nullable=False),
    Column("lender", String(100), nullable=False),
    Column("product", String(30), nullable=False),
    Column("amount", BigInteger, nullable=False, doc="whole rupiah applied for"),
    Column("status", String(10), nullable=False),
    Column("applied_on", Date, nullable=False),
    Column("approved_amount", BigInteger, nullable=True),
    Column("approved_on", Date, nullable=True),
    Column("rejected_on", Date, nullable=True),
    Column("rejection_reason", String(500), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(
    "ix_financing_applications_participant_seq",
    financing_applications.c.participant_id,
    financing_applications.c.seq,
)
Index("ix_financing_applications_status_seq", financing_applications.c.status, financing_applications.c.seq)

financing_disbursements = Table(
    "financing_disbursements",
    metadata,
    Column(
        "seq", Integer, primary_key=True, autoincrement=True, doc="order of an application's disbursements"
    ),
    Column("disbursement_id", String(36), nullable=False, unique=True),
    Column(
        "application_id",
        String(36),
        ForeignKey("financing_applications.application_id"),
        nullable=False,
    ),
    Column("amount", BigInteger, nullable=False, doc="whole rupiah"),
    Column("disbursed_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    *void_columns(),
)
# At most one live disbursement per application, whatever the races between disbursing and voiding.
Index(
    "ux_financing_disbursements_one_live",
    financing_disbursements.c.application_id,
    unique=True,
    sqlite_where=LIVE,
    postgresql_where=LIVE,
)
Index(
    "ix_financing_disbursements_application_seq",
    financing_disbursements.c.application_id,
    financing_disbursements.c.seq,
)

participants = participant_tables(metadata)
known_participants = participants.known
correction_log = correction_log_table(metadata)
outbox = outbox_table(metadata)
