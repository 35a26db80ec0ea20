"""customer segments: recency/frequency/monetary buckets and named segments per customer

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crm_store.models.base

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customer_segments',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('recency', sa.String(length=16), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('monetary', sa.String(length=16), nullable=False),
    sa.Column('last_order_at', crm_store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('orders_in_window', sa.Integer(), nullable=False),
    sa.Column('spend_in_window_cents', sa.Integer(), nullable=False),
    sa.Column('open_complaints', sa.Integer(), nullable=False),
    sa.Column('segments', sa.JSON(), nullable=False),
    sa.Column('computed_at', crm_store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_segments_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_segments'))
    )


def downgrade() -> None:
    op.drop_table('customer_segments')
