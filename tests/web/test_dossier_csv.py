"""Issue 13 item 11: the dossier CSV has one header, keeps identity numbers as text, is UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io

from tests.web.workspace_helpers import receive_ok


def test_one_header_and_identity_numbers_kept_as_text(xd, user):
    c = user("motcua")
    code = receive_ok(c, **{"applicant.id_number": "001203004567"})
    raw = user("pct").get("/dossiers/export.csv").data
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r[0] for r in table].count("Mã hồ sơ") == 1  # the header once, not again before the first row
    row = next(r for r in table if r[0] == code)
    # ="…" is how a CSV cell stays text in Excel and LibreOffice: a bare 001203004567 loses its zeros
    assert row[5] == '="001203004567"'
