"""The one migration step every stage service runs to give known_participants its area columns."""

import json

import sqlalchemy as sa
from alembic import op

_TABLE = "known_participants"


def add_area_columns() -> None:
    """Adds kota_code and agency (indexed) and fills them from each stored profile."""
    with op.batch_alter_table(_TABLE) as batch:
        batch.add_column(sa.Column("kota_code", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("agency", sa.String(length=20), nullable=True))
        batch.create_index("ix_known_participants_kota_code", ["kota_code"])
        batch.create_index("ix_known_participants_agency", ["agency"])
    known = sa.table(
        _TABLE, sa.column("participant_id"), sa.column("profile"), sa.column("kota_code"), sa.column("agency")
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(known.c.participant_id, known.c.profile)).all()
    areas = [_area(row.participant_id, row.profile) for row in rows]
    if areas:
        conn.execute(
            known.update()
            .where(known.c.participant_id == sa.bindparam("pid"))
            .values(kota_code=sa.bindparam("kota"), agency=sa.bindparam("ag")),
            areas,
        )


def drop_area_columns() -> None:
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_index("ix_known_participants_agency")
        batch.drop_index("ix_known_participants_kota_code")
        batch.drop_column("agency")
        batch.drop_column("kota_code")


def _area(participant_id: str, profile: str) -> dict[str, str | None]:
    stored = json.loads(profile)
    return {"pid": participant_id, "kota": stored.get("kota_code"), "ag": stored.get("agency")}
