"""Tables of issue 13: dossier search words, the mail outbox, notification choices, agency form settings.

They share processes/schema.py's MetaData (processes/db.py imports this module so `create_all` makes them).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from .schema import UTCDateTime, metadata

# One row per folded word of a dossier's applicant name (processes/search_terms.py): "Hong Nhung" is
# then two indexed prefix ranges (term LIKE 'hong%'), not a scan of every dossier's name.
dossier_terms = Table(
    "dossier_terms", metadata,
    Column("term", String(80), nullable=False),
    Column("instance_id", ForeignKey("instances.id"), nullable=False),
    PrimaryKeyConstraint("term", "instance_id", name="pk_dossier_terms"),
    Index("ix_dossier_terms_instance", "instance_id"),
)

# Messages to citizens, sent once the transaction that decided them has committed (processes/mail_outbox.py):
# written inside the case's transaction, drained by the scheduler in the worker, so a crash between the
# commit and the send loses nothing and a rolled-back move sends nothing.
mail_outbox = Table(
    "mail_outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(10), nullable=False),  # email | sms
    # the citizen's dossier: the address or phone is read from its reception row at send time, because
    # the reception row is written after the case started (in the same transaction)
    Column("instance_id", ForeignKey("instances.id"), nullable=True),
    Column("recipient", String(300), nullable=True),  # an explicit address, else the dossier's
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(300), nullable=True),
    Index("ix_mail_outbox_pending", "sent_at", "id"),
)

# How a user wants e-mail about their notifications: immediate (default, no row) or one daily digest.
notice_prefs = Table(
    "notice_prefs", metadata,
    Column("username", String(80), primary_key=True),
    Column("mode", String(10), nullable=False),  # immediate | digest
    Column("digest_sent_at", UTCDateTime, nullable=True),
)

# What an agency prints on its forms (processes/agency_settings.py): the place of the "……, ngày …" line and
# the suffix of its receipt numbers ("Số: 15/TNHS"); without a row both come from the agency's name.
agency_settings = Table(
    "agency_settings", metadata,
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
    Column("place", String(200), nullable=False),
    Column("receipt_suffix", String(40), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
