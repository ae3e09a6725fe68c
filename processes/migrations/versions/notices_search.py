"""Issue 13 items 5, 7 and 10: the folded search words of dossiers, the mail outbox, users' notification choice,
agencies' form settings (place, receipt number suffix).

processes/notice_schema.py. The search words of the dossiers already there are written here, so that
"Hong Nhung" finds them right after the upgrade.

Revision ID: notices_search
Revises: administration
Create Date: 2026-12-06
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "notices_search"
down_revision = "administration"
branch_labels = None
depends_on = None
# The search words are rebuilt from the dossiers; the outbox holds messages not yet sent and the
# choices of immediate or digest mail: dropping them loses unsent mail and those choices, no case.
safe_downgrade = True

_WORD = re.compile(r"[0-9a-z]+")


def _words(text: str) -> list[str]:
    # a copy of processes.search_terms.words: a revision must not change when the application code does
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return list(dict.fromkeys(w[:80] for w in _WORD.findall(folded)))


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "dossier_terms" not in have:
        terms = op.create_table('dossier_terms',
        sa.Column('term', sa.String(length=80), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
        sa.PrimaryKeyConstraint('term', 'instance_id', name='pk_dossier_terms')
        )
        op.create_index('ix_dossier_terms_instance', 'dossier_terms', ['instance_id'], unique=False)
        bind = op.get_bind()
        rows = bind.execute(sa.text("SELECT instance_id, code, applicant_name, applicant_id_number FROM dossiers"))
        batch: list[dict[str, object]] = []
        for r in rows.fetchall():
            found = dict.fromkeys(w for t in (r.code, r.applicant_name, r.applicant_id_number) if t
                                  for w in _words(t))
            batch.extend({"term": w, "instance_id": r.instance_id} for w in found)
        if batch:
            op.bulk_insert(terms, batch)
    if "mail_outbox" not in have:
        op.create_table('mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('recipient', sa.String(length=300), nullable=True),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index('ix_mail_outbox_pending', 'mail_outbox', ['sent_at', 'id'], unique=False)
    if "notice_prefs" not in have:
        op.create_table('notice_prefs',
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('digest_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('username')
        )


    # (added to this revision before any release, so a database at it may lack the table: hence the check)
    if "agency_settings" not in have:
        op.create_table('agency_settings',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('receipt_suffix', sa.String(length=40), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
        sa.PrimaryKeyConstraint('unit_id')
        )


def downgrade() -> None:
    op.drop_table('agency_settings')
    op.drop_table('notice_prefs')
    op.drop_index('ix_mail_outbox_pending', table_name='mail_outbox')
    op.drop_table('mail_outbox')
    op.drop_index('ix_dossier_terms_instance', table_name='dossier_terms')
    op.drop_table('dossier_terms')
