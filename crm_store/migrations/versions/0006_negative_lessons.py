"""negative lessons: "don't answer this question with that article"

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 04:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crm_store.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_negative_lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('article_slug', sa.String(length=120), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', crm_store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_negative_lessons'))
    )
    with op.batch_alter_table('kb_negative_lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_negative_lessons_article_slug'), ['article_slug'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kb_negative_lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_negative_lessons_article_slug'))

    op.drop_table('kb_negative_lessons')
