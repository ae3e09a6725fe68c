"""Issue 12 defect 7: opening the master list writes nothing (a GET never creates catalog rows)."""

from __future__ import annotations

from sqlalchemy import insert

from processes.schema import definitions
from tests.conftest import BPMN_DIR
from tests.processes.conftest import dump_all


def test_the_master_list_page_writes_nothing_even_with_an_unadopted_definition(app, org, clock, login):
    # A definition stored without its catalog entry (as a database of an older release may hold).
    xml = (BPMN_DIR / "QT-XD-01.bpmn").read_text("utf-8")
    with org.write() as conn:
        conn.execute(insert(definitions).values(
            code="QT-XD-01", version=1, process_id="QT_XD_01", name="x", bpmn_xml=xml, sha256="0" * 64,
            properties="{}", status="active", deployed_at=clock.now(), deployed_by="iso"))
    client = login("iso")
    before = dump_all(org)
    assert client.get("/quality/procedures").status_code == 200
    assert dump_all(org) == before
