"""article versions and model records

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:32:27.753933
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crm_store.models.base

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('model_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('inputs_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('baseline', sa.JSON(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', crm_store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('activated_at', crm_store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_records'))
    )
    with op.batch_alter_table('model_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_records_status'), ['status'], unique=False)

    op.create_table('article_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', crm_store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_versions_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_versions')),
    sa.UniqueConstraint('article_id', 'version', name='uq_article_versions_article_version')
    )
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_versions_article_id'), ['article_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_versions_article_id'))

    op.drop_table('article_versions')
    with op.batch_alter_table('model_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_records_status'))

    op.drop_table('model_records')
