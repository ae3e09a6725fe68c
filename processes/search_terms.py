"""Search that ignores diacritics and case, through an index on both SQLite and PostgreSQL.

People type "Hong Nhung" or "nguyen thi" for "Nguyễn Thị Hồng Nhung". Neither database folds Vietnamese
diacritics in an indexable way (SQLite's LIKE folds ASCII only; PostgreSQL's unaccent is an extension),
and `name LIKE '%x%'` reads every row. So each folded word of the dossier's code, applicant name and
identity number is a row of `dossier_terms`, written when they are; a query word is an indexed prefix
range on `term`, and a dossier matches when every query word begins one of its words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, func, insert, select

from .fastsql import Fast
from .notice_schema import dossier_terms
from .projection import CaseMove
from .schema import dossiers

_WORD = re.compile(r"[0-9a-z]+")
# the step data fields processes/dossiers.py copies into dossiers.applicant_name and applicant_id_number
WRITTEN_BY_STEPS = ("ten_nguoi_nop", "so_giay_to")
MAX_WORDS = 8  # a query of more words than any name has is cut, not refused
# a word found in this many dossiers or more is common: it no longer picks the candidates of a search
COMMON = 2000


def fold(text: str) -> str:
    """Lower case without diacritics: "Đỗ Thị HẰNG" → "do thi hang" (đ is a letter of its own in Unicode)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The folded words of a text, in order, duplicates kept once."""
    return list(dict.fromkeys(w[:80] for w in _WORD.findall(fold(text))))


def set_terms(conn: Connection, instance_id: int, texts: Iterable[str]) -> None:
    """Replace a dossier's search words by those of `texts`: only the words that changed are deleted or
    inserted (a step that adds the applicant's name leaves the code's words, and their index entries, as
    they were; one that repeats them writes nothing)."""
    found = list(dict.fromkeys(w for t in texts for w in words(t)))
    have = {r[0] for r in _TERMS.execute(conn, {"b_instance": instance_id}).rows}
    gone = [{"b_instance": instance_id, "b_term": w} for w in sorted(have.difference(found))]
    if gone:
        _DELETE_TERM.execute(conn, gone)
    new = [{"term": w, "instance_id": instance_id} for w in found if w not in have]
    if new:
        _INSERT_TERMS.execute(conn, new)


# compiled once (processes/fastsql.py): a case's start and some of its steps renew the words
_TERMS = Fast(select(dossier_terms.c.term).where(dossier_terms.c.instance_id == bindparam("b_instance")))
_DELETE_TERM = Fast(delete(dossier_terms).where(dossier_terms.c.instance_id == bindparam("b_instance"),
                                                dossier_terms.c.term == bindparam("b_term")))
_INSERT_TERMS = Fast(insert(dossier_terms))
_APPLICANT = Fast(select(dossiers.c.applicant_name, dossiers.c.applicant_id_number)
                  .where(dossiers.c.instance_id == bindparam("b_instance")))


def on_start(move: CaseMove) -> None:
    """A new case's dossier code, applicant name and identity number become its search words."""
    _refresh(move.conn, move.row.id, move.row.business_key)


def on_move(move: CaseMove) -> None:
    """A step that wrote the applicant's name or identity number (processes/dossiers.py) renews the words."""
    if any(isinstance(move.data.get(k), str) and move.data[k].strip() for k in WRITTEN_BY_STEPS):
        _refresh(move.conn, move.row.id, move.row.business_key)


def _refresh(conn: Connection, instance_id: int, code: str) -> None:
    # read back what the dossier listener (run before this one) has just written, rather than repeat its rules
    row = _APPLICANT.execute(conn, {"b_instance": instance_id}).first()
    texts = [code] + ([t for t in (row.applicant_name, row.applicant_id_number) if t] if row else [])
    set_terms(conn, instance_id, texts)


def _after(prefix: str) -> str | None:
    """The least word of [0-9a-z] greater than every word beginning with `prefix` (None: there is none)."""
    stem = prefix.rstrip("z")
    if not stem:
        return None
    last = stem[-1]
    return stem[:-1] + ("a" if last == "9" else chr(ord(last) + 1))


def _within(w: str) -> ColumnElement[bool]:
    """dossier_terms rows whose term begins with `w`: a range, term >= "hong" AND term < "honh", which both
    databases answer from the primary key's index whatever the collation (the terms are only [0-9a-z],
    which every collation orders alike; a LIKE 'hong%' would need a "C" collation or text_pattern_ops on
    PostgreSQL to use an index)."""
    upper = _after(w)
    term = dossier_terms.c.term
    return and_(term >= w, term < upper) if upper is not None else term >= w


def _bounded_counts(conn: Connection, query: list[str]) -> list[int]:
    """How many dossiers have a word beginning with each of `query`, each counted up to COMMON (an index range
    read each), in one statement."""
    parts = [select(func.count()).select_from(select(dossier_terms.c.instance_id).where(_within(w))
                                              .limit(COMMON).subquery()).scalar_subquery() for w in query]
    return [int(n) for n in conn.execute(select(*parts)).one()]


def matches(conn: Connection, instance_id: Any, text: str, *,
            bounded_outer: bool = False) -> ColumnElement[bool] | None:
    """A condition on a case id column: every folded word of `text` begins a word of the dossier's name.

    None when `text` has no word (the caller then ignores it). The rarest word (counted up to COMMON in the
    index) gives the candidates, "id IN (its range)"; each other word is checked per candidate, an EXISTS
    on that dossier's own few words. An ID number or a code is then one index seek, and "hong nhung" reads
    the "nhung" range once instead of building the list of every "hong" too. When every word is common and
    the caller's rows are already few (`bounded_outer`: an inbox), every word is checked per row instead.
    """
    query = words(text)[:MAX_WORDS]
    if not query:
        return None
    # one word in a search that is not bounded has no choice to make: it is the candidates, uncounted
    sizes = [0] if len(query) == 1 and not bounded_outer else _bounded_counts(conn, query)
    least = min(range(len(query)), key=sizes.__getitem__)  # the first of the rarest
    rarest = query[least]
    per_row = [w for w in query if w != rarest]
    conditions = []
    if bounded_outer and sizes[least] >= COMMON:
        per_row = query
    else:
        conditions.append(instance_id.in_(select(dossier_terms.c.instance_id).where(_within(rarest))))
    conditions.extend(select(dossier_terms.c.term).where(dossier_terms.c.instance_id == instance_id, _within(w))
                      .exists() for w in per_row)
    return and_(*conditions)
