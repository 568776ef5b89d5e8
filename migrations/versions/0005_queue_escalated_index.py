"""queue: partial index for the Escalated-to-me tab and its count

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_queue_items_escalated",
        "queue_items",
        ["tenant_id", "as_of", "escalated_to_id"],
        unique=False,
        sqlite_where=sa.text("escalated_to_id IS NOT NULL"),
        postgresql_where=sa.text("escalated_to_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_queue_items_escalated", table_name="queue_items")
