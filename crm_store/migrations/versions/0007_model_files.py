"""model files: trained models' bytes in the database, for every replica

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crm_store.models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('model_files',
    sa.Column('inputs_hash', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', crm_store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('inputs_hash', name=op.f('pk_model_files'))
    )


def downgrade() -> None:
    op.drop_table('model_files')
