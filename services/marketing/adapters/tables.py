"""The marketing database: products, curations, exhibitions, showcases, e-Order listings, the correction
log, the participants registration told us of, and the outbox."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from shared.corrections.log import correction_log_table
from shared.corrections.voids import is_live, void_columns
from shared.db.keyset import seq_column
from shared.outbox import outbox_table
from shared.participants.directory import participant_tables

metadata = MetaData()

products = Table(
    "products",
    metadata,
    seq_column(),
    Column("product_id", String(36), nullable=False, unique=True),
    Column("participant_id", String(36), nullable=False),
    Column("name", String(200), nullable=False, doc="business data: kept here, never in events"),
    Column("sector", String(20), nullable=True),
    Column("registered_on", Date, nullable=False),
    # The highest curation level passed. Every curation updates it on the condition that it is still what was
    # read, so concurrent curations of one product are serialized by the database.
    Column("curation_level", String(10), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_products_participant_seq", products.c.participant_id, products.c.seq)

curations = Table(
    "curations",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("curation_id", String(36), nullable=False, unique=True),
    Column("product_id", String(36), ForeignKey("products.product_id"), nullable=False),
    Column("level", String(10), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("criteria", JSON, nullable=False, doc='[{"name": …, "score": 0-100}]'),
    Column("notes", Text, nullable=True, doc="the curators' free text: never in events"),
    Column("curated_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_curations_product_seq", curations.c.product_id, curations.c.seq)

listings = Table(
    "eorder_listings",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("listing_id", String(36), nullable=False, unique=True),
    # One listing per product: the constraint, not a read-then-write, decides concurrent requests.
    Column("product_id", String(36), ForeignKey("products.product_id"), nullable=False, unique=True),
    Column("listed_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

exhibitions = Table(
    "exhibitions",
    metadata,
    seq_column(),
    Column("exhibition_id", String(36), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("scope", String(20), nullable=False),
    Column("venue", String(200), nullable=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

showcases = Table(
    "showcases",
    metadata,
    seq_column(),
    Column("showcase_id", String(36), nullable=False, unique=True),
    Column("exhibition_id", String(36), ForeignKey("exhibitions.exhibition_id"), nullable=False),
    Column("product_id", String(36), ForeignKey("products.product_id"), nullable=False),
    Column("participant_id", String(36), nullable=False),
    Column("shown_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A voided showcase is kept, marked, and no longer counts anywhere.
    *void_columns(),
)
# A product is shown once per exhibition; a voided showcase frees the pair for a correct one.
_STANDING = is_live(showcases)
Index(
    "ux_showcases_one_per_exhibition",
    showcases.c.exhibition_id,
    showcases.c.product_id,
    unique=True,
    sqlite_where=_STANDING,
    postgresql_where=_STANDING,
)
Index("ix_showcases_product_seq", showcases.c.product_id, showcases.c.seq)
Index("ix_showcases_exhibition_seq", showcases.c.exhibition_id, showcases.c.seq)

correction_log = correction_log_table(metadata)
participants = participant_tables(metadata)
known_participants = participants.known
outbox = outbox_table(metadata)
