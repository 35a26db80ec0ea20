"""articles.translations: each article's title, answer and questions in other languages (Chinese)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 17:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crm_store.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(
            sa.Column("translations", crm_store.models.base.JSONType(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("translations")
