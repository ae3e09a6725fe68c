"""`quytrinh audit check-log`: conformance of an event log exported by another system (audits/external_log.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from processes.db import Database

from .output import emit, handled, json_option


def check_payload(result: Any, labels: dict[str, str]) -> dict[str, Any]:
    """The result as the conformance command prints it, plus the file's row problems."""
    f = result.figures
    figures = None if f is None else {
        "cases": f.cases, "completed": f.completed, "fitting": f.fitting, "share_fitting": round(f.share_fitting, 4),
        "log_fitness": f.log_fitness, "alignment_fitness": f.alignment_fitness,
        "deviations": [{"kind": d.kind, "label": labels.get(d.kind, d.kind), "activity": d.activity, "name": d.name,
                        "count": d.count, "examples": d.examples} for d in f.deviations]}
    return {"file": result.file_name, "procedure": result.procedure, "version": result.version, "ok": result.ok,
            "cases": result.cases, "events": result.events, "figures": figures,
            "deviating_cases": [{"case": v.case_id, "fitness": v.fitness, "token_fitness": v.token_fitness,
                                 "deviations": [{"kind": d.kind, "activity": d.activity,
                                                 "name": result.step_names.get(d.activity, d.activity),
                                                 "position": d.position + 1} for d in v.deviations]}
                                for v in result.verdicts if v.deviations],
            "problems": [{"row": p.row, "column": p.column, "value": p.value, "message": p.message}
                         for p in result.problems]}


def _text(payload: dict[str, Any]) -> str:
    if not payload["ok"]:
        return "\n".join([f"{payload['file']}: {len(payload['problems'])} dòng sai, chưa kiểm tra gì:"]
                         + [f"  dòng {p['row']}: {p['message']}" for p in payload["problems"]])
    f = payload["figures"] or {}
    return "\n".join(
        [f"{payload['file']} / {payload['procedure']} v{payload['version']}: {payload['cases']} cases, "
         f"{payload['events']} events, {f.get('fitting', 0)} fit; fitness by token {f.get('log_fitness')}, "
         f"by alignment {f.get('alignment_fitness')}"]
        + [f"  {d['count']}× {d['label']} {d['name']} e.g. {', '.join(map(str, d['examples']))}"
           for d in f.get("deviations", [])[:10]])


def check_log_command(main: click.Group, db_of: Callable[[click.Context], Database]) -> None:
    """Register `audit check-log` on the `audit` group (cli/audit.py)."""
    audit = main.commands["audit"]
    assert isinstance(audit, click.Group)

    @audit.command("check-log")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--procedure", required=True, help="The procedure code to check against.")
    @click.option("--version", "version", type=int, default=None, help="Its version (default: the latest).")
    @click.option("--map", "mapping", default=None,
                  help="CSV columns: case=…,activity=…,timestamp=…,resource=… (default: XES names).")
    @json_option
    @click.pass_context
    @handled
    def check_log(ctx: click.Context, file: str, procedure: str, version: int | None, mapping: str | None,
                  as_json: bool) -> None:
        """Check an event log from another system (XES or CSV) against a procedure version; stores nothing."""
        from audits.external_log import check_external_log, parse_mapping
        from audits.report_tables import DEVIATION_LABELS

        result = check_external_log(db_of(ctx), Path(file).name, Path(file).read_bytes(), procedure, version,
                                    parse_mapping(mapping))
        payload = check_payload(result, DEVIATION_LABELS)
        emit(as_json, payload, lambda: _text(payload))
        if not result.ok:
            ctx.exit(6)  # as for any invalid input (cli/output.py)
