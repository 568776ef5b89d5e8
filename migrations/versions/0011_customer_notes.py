"""Customer notes and their edit history (the timeline's notes)

`customer_notes`: a Markdown note a person wrote about a customer, with an optional tag (call,
e-mail, meeting, risk), its author and when it was written and last edited. Only its author edits
it (services/customers/notes.py). `customer_note_revisions`: the wording each note had before
every edit (revision 1 is the note as first written), who wrote it and when.

PostgreSQL: row-level security like every tenant table (0008, as 0009 did for change_events):
`customer_notes` by its tenant_id; `customer_note_revisions` through its note (visible and
writable when the note is). A team's logins need the table grants again after this upgrade
(README, "PostgreSQL for a team": `GRANT … ON ALL TABLES`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_IDS = "renubu_tenant_ids"
TAGS = ("call", "e-mail", "meeting", "risk")


def upgrade() -> None:
    tags = ", ".join(f"'{t}'" for t in TAGS)
    op.create_table(
        "customer_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("tag", sa.String(length=20), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"tag IN ({tags})", name=op.f("ck_customer_notes_tag_valid")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_customer_notes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_notes_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_customer_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_notes")),
    )
    op.create_index("ix_customer_notes_customer", "customer_notes", ["customer_id", "created_at"])
    op.create_table(
        "customer_note_revisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=20), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Uuid(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["customer_notes.id"],
            name=op.f("fk_customer_note_revisions_note_id_customer_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"],
            ["users.id"],
            name=op.f("fk_customer_note_revisions_written_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_note_revisions")),
        sa.UniqueConstraint(
            "note_id", "revision", name=op.f("uq_customer_note_revisions_note_id_revision")
        ),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _quote(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one())
    mine = f"tenant_id = ANY ((SELECT {schema}.{TENANT_IDS}())::uuid[])"
    op.execute(f"ALTER TABLE {schema}.customer_notes ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY renubu_tenant ON {schema}.customer_notes USING ({mine}) WITH CHECK ({mine})"
    )
    visible = (
        f"EXISTS (SELECT 1 FROM {schema}.customer_notes p "
        f"WHERE p.id = customer_note_revisions.note_id)"
    )
    op.execute(f"ALTER TABLE {schema}.customer_note_revisions ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY renubu_parent ON {schema}.customer_note_revisions "
        f"USING ({visible}) WITH CHECK ({visible})"
    )


def downgrade() -> None:
    op.drop_table("customer_note_revisions")
    op.drop_index("ix_customer_notes_customer", table_name="customer_notes")
    op.drop_table("customer_notes")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
