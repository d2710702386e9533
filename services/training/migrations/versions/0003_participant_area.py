"""participant area: kota_code and agency columns of known_participants, for area-scoped lists

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from shared.participants.migration import add_area_columns, drop_area_columns

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_area_columns()


def downgrade() -> None:
    drop_area_columns()
