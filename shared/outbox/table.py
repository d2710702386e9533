"""The outbox table every producing service adds to its own metadata."""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_ID = BigInteger().with_variant(Integer, "sqlite")


def outbox_table(metadata: MetaData) -> Table:
    table = Table(
        "outbox",
        metadata,
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(100), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("correlation_id", String(100), nullable=True),
        Column("payload", Text, nullable=False, doc="the encoded envelope, exactly as published"),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("trace_context", Text, nullable=True, doc="W3C trace context of the request, as JSON"),
    )
    # The relay only ever scans unpublished rows; keep that scan small as history grows.
    Index(
        "ix_outbox_unpublished",
        table.c.id,
        postgresql_where=table.c.published_at.is_(None),
        sqlite_where=table.c.published_at.is_(None),
    )
    # Pruning deletes published rows by age.
    Index(
        "ix_outbox_published_at",
        table.c.published_at,
        postgresql_where=table.c.published_at.is_not(None),
        sqlite_where=table.c.published_at.is_not(None),
    )
    return table
