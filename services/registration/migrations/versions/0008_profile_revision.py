"""profile revision: registration counts the changes of each participant's profile

`ParticipantProfile.revision` (issue 13.3): a participant's ParticipantUpdated travels on the registration
topic while their stage events travel on their own, so reporting may see an older profile after a newer
one. The revision says which is current. Existing rows start at 0, as their events read without one.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not a batch: on SQLite a batch copies the table, and the copy would lose 0007's trigger.
def upgrade() -> None:
    op.add_column(
        "participants", sa.Column("profile_revision", sa.BigInteger(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("participants", "profile_revision")
