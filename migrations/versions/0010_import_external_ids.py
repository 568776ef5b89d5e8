"""Import from a CRM: the external ids an import upserts by

`customers.external_id` is the CRM's id of the account (Salesforce Account ID, HubSpot Record
ID, or the column a mapping file names), unique per tenant; `contracts.external_id` is the id of
the deal or term a contract came from (a Salesforce Opportunity ID), unique per customer. Both
are NULL for rows made in renubu (the demo, the seed), and NULLs never collide, so the demo book
is untouched. `renubu import` matches a row to the customer (or contract) with the same external
id and updates it, or inserts a new one: the same file imported twice changes nothing.

PostgreSQL: no new table, so nothing new for row-level security (0008): the columns live in
tables whose policies already confine every row to the login's tenants (customers by its
tenant_id, contracts through its customer).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN and a unique index, not a unique constraint: SQLite adds neither a constraint
    # nor a column with one in place, and rebuilding `customers` (batch mode) would drop and
    # copy a table every fact cascades from
    op.add_column("customers", sa.Column("external_id", sa.String(length=120), nullable=True))
    op.create_index(
        "uq_customers_tenant_external_id", "customers", ["tenant_id", "external_id"], unique=True
    )
    op.add_column("contracts", sa.Column("external_id", sa.String(length=120), nullable=True))
    op.create_index(
        "uq_contracts_customer_external_id",
        "contracts",
        ["customer_id", "external_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_contracts_customer_external_id", table_name="contracts")
    op.drop_column("contracts", "external_id")
    op.drop_index("uq_customers_tenant_external_id", table_name="customers")
    op.drop_column("customers", "external_id")
