"""Audit commands: the demo year, conformance, SLA, QĐ 766, the audit programme, reports, log export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from audits import programme
from audits.periods import parse_period
from processes import catalog
from processes.clock import SystemClock
from processes.db import Database
from processes.errors import InvalidInput
from processes.schema import definitions, instances
from processes.setup import initialise, load_demo_organisation

from .output import emit, handled, json_option
from .progress import Bar
from .schemas import DemoSummarySchema, SlaReportSchema, UnitIndexSchema

# Kept here so that `quytrinh --help` does not import the report renderers (audits/reports.py).
FORMATS = ("html", "pdf", "xlsx")
KINDS = ("annual", "review", "cchc")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def audit_commands(main: click.Group, db_of: Callable[[click.Context], Database]) -> None:
    """Register `demo`, `export-log` and the `audit` group on the main command."""

    @main.command("demo")
    @click.option("--year", type=int, required=True, help="The year to simulate.")
    @click.option("--scale", type=float, default=1.0, show_default=True, help="Multiplies the arrival rates.")
    @click.option("--seed", type=int, default=2025, show_default=True)
    @click.option("--bpmn", "bpmn_dir", default="bpmn", show_default=True, help="Procedures to deploy first.")
    @click.option("--force", is_flag=True, help="Generate even when the database already has cases.")
    @json_option
    @click.pass_context
    @handled
    def demo_year(ctx: click.Context, year: int, scale: float, seed: int, bpmn_dir: str, force: bool,
                  as_json: bool) -> None:
        """Fill the database with a simulated year of the demo district (worked through the engine)."""
        import demo

        db = db_of(ctx)
        initialise(db, SystemClock())
        with db.read() as conn:
            cases = conn.execute(select(func.count(instances.c.id))).scalar()
        saved = demo.saved_run(db, year, scale, seed)  # an earlier run of this year, finished or interrupted
        if saved is not None and saved.finished:
            emit(as_json, {"skipped": True, "cases": cases, "finished": True},
                 f"Năm {year} đã được mô phỏng xong trên cơ sở dữ liệu này; không làm gì thêm.")
            return
        if cases and saved is None and not force:
            emit(as_json, {"skipped": True, "cases": cases}, f"Cơ sở dữ liệu đã có {cases} hồ sơ; không làm gì "
                 "(dùng --force để vẫn thêm một năm).")
            return
        if saved is None:  # a resumed run finds them in place: deploying again must not change the database
            load_demo_organisation(db, SystemClock())
            if Path(bpmn_dir).is_dir():
                for path in sorted(Path(bpmn_dir).glob("*.bpmn")):
                    catalog.deploy_file(db, path, SystemClock(), "iso")
            demo.fill_iso_metadata(db, SystemClock())
        title = f"Mô phỏng năm {year}" + (f" (tiếp từ ngày {saved.days})" if saved is not None else "")
        with Bar(title, enabled=not as_json) as bar:
            summary = demo.generate_year(db, year, scale, seed,
                                         progress=lambda done, total: bar(done, total, f"ngày {done}/{total}"))
        audits = demo.run_demo_audits(db, year)
        payload = {**DemoSummarySchema().dump(summary), "audit_plans": audits.plans, "findings": audits.findings,
                   "capa_cases": audits.capa_cases}
        emit(as_json, payload, lambda: (
            f"{summary.dossiers} dossiers in {year} ({', '.join(f'{k} {v}' for k, v in summary.by_procedure.items())})"
            f"\n  online {summary.online}, done {summary.completed}, refused {summary.refused}, withdrawn "
            f"{summary.withdrawn}, still open {summary.running}\n  supplements {summary.supplements} (second: "
            f"{summary.second_supplements}), apologies signed {summary.apologies}, ratings {summary.ratings}, "
            f"attachments {summary.attachments} ({summary.signed} signed at a signing step), steps handled on paper "
            f"{summary.deviations}"
            f"\n  {summary.steps} steps, {summary.use_cases} use cases in "
            f"{summary.seconds:.1f} s\n  audits {', '.join(audits.plans) or '-'}; findings {len(audits.findings)}; "
            f"corrective actions {', '.join(audits.capa_cases) or '-'}"))

    @main.command("export-log")
    @click.option("--format", "fmt", type=click.Choice(["xes", "csv"]), required=True)
    @click.option("--procedure", default=None, help="Only the cases of this procedure code.")
    @click.option("--all-transitions", is_flag=True, help="Also schedule, assign and withdraw events.")
    @click.option("-o", "--output", required=True, help="File to write.")
    @click.pass_context
    @handled
    def export_log(ctx: click.Context, fmt: str, procedure: str | None, all_transitions: bool, output: str) -> None:
        """Write the event log as XES (IEEE 1849) or CSV for process-mining tools."""
        from audits import export

        with open(output, "w", encoding="utf-8", newline="") as out, Bar("Xuất nhật ký sự kiện") as bar:
            bar(0, 1, "Xuất nhật ký sự kiện")
            writer = export.write_xes if fmt == "xes" else export.write_csv
            count = writer(db_of(ctx), out, procedure, all_transitions)
            bar(1, 1)
        click.echo(f"wrote {output} ({count} {'traces' if fmt == 'xes' else 'events'})")

    @main.group("audit")
    def audit() -> None:
        """Internal audit: conformance, SLA, QĐ 766 index, audit programme, reports."""

    @audit.command("conformance")
    @click.option("--procedure", default=None, help="Only this procedure code.")
    @click.option("--year", type=int, default=None, help="Only cases received in this year.")
    @json_option
    @click.pass_context
    @handled
    def conformance(ctx: click.Context, procedure: str | None, year: int | None, as_json: bool) -> None:
        """Replay every case against the BPMN version it ran on; fitness and deviations per procedure."""
        from audits.report_data import conformance_of

        db = db_of(ctx)
        query = (select(instances.c.id, instances.c.business_key)
                 .join(definitions, definitions.c.id == instances.c.definition_id))
        if procedure:
            query = query.where(definitions.c.code == procedure)
        if year:
            period = parse_period(str(year))
            query = query.where(instances.c.created_at >= period.first_instant,
                                instances.c.created_at < period.end_instant)
        with db.read() as conn:
            keys = {r.id: r.business_key for r in conn.execute(query)}
        figures, verdicts = conformance_of(db, list(keys))
        payload: dict[str, Any] = {"procedures": {code: {
            "cases": f.cases, "completed": f.completed, "fitting": f.fitting,
            "share_fitting": round(f.share_fitting, 4),
            "log_fitness": f.log_fitness, "alignment_fitness": f.alignment_fitness,
            "deviations": [{"kind": d.kind, "activity": d.activity, "name": d.name, "count": d.count,
                            "examples": [keys.get(x, x) for x in d.examples]} for d in f.deviations]}
            for code, f in sorted(figures.items())},
            "deviating_cases": [{"case": keys.get(v.case_id, v.case_id), "fitness": v.fitness,
                                 "token_fitness": v.token_fitness,
                                 "deviations": [d.__dict__ for d in v.deviations]} for v in verdicts if v.deviations]}
        emit(as_json, payload, lambda: "\n".join(
            f"{code}: {f['cases']} cases, {f['fitting']} fit ({_pct(f['share_fitting'])}), fitness by token "
            f"{f['log_fitness'] if f['log_fitness'] is None else round(f['log_fitness'], 3)}, by alignment "
            f"{f['alignment_fitness'] if f['alignment_fitness'] is None else round(f['alignment_fitness'], 3)}"
            + "".join(f"\n  {d['count']}× {d['kind']} {d['activity']} ({d['name']}) e.g. {', '.join(d['examples'])}"
                      for d in f["deviations"][:5]) for code, f in payload["procedures"].items()) or "no cases")

    @audit.command("sla")
    @click.option("--year", type=int, default=None, help="The year (or give --period).")
    @click.option("--period", default=None, help="2025, 2025-Q4, 2025-H1 or 2025-11.")
    @click.option("--procedure", "procedures", multiple=True, help="Only these procedure codes.")
    @json_option
    @click.pass_context
    @handled
    def sla(ctx: click.Context, year: int | None, period: str | None, procedures: tuple[str, ...],
            as_json: bool) -> None:
        """Early / on time / late per procedure, unit, month and step; lateness causes; late without apology."""
        from audits.indicators import sla_report

        if not year and not period:
            raise InvalidInput("give --year or --period")
        report = sla_report(db_of(ctx), parse_period(period or str(year)), list(procedures) or None)
        o = report.overall
        emit(as_json, SlaReportSchema().dump(report), lambda: "\n".join(
            [f"{report.period.label}: received {report.received} (online {report.received_online}); resolved "
             f"{o.resolved}: early {o.early}, on time {o.on_time}, late {o.late} (in time {_pct(o.in_time_rate)})"]
            + [f"  {k:<11} {c.resolved:>6} resolved, {c.late:>4} late ({_pct(c.rate('late'))})"
               for k, c in sorted(report.by_procedure.items())]
            + [f"  cause: {s.procedure} {s.name}: {s.late_in_late_dossiers} late dossiers" for s in report.causes[:5]]
            + [f"  late without apology: {', '.join(report.late_without_apology) or 'none'}"]))

    @audit.command("index766")
    @click.option("--period", required=True, help="2025-Q4, 2025 …")
    @click.option("--unit", default=None, help="Only this unit code.")
    @json_option
    @click.pass_context
    @handled
    def index(ctx: click.Context, period: str, unit: str | None, as_json: bool) -> None:
        """The QĐ 766 service-quality index per unit: groups, total and class."""
        from audits import index766

        found = index766.index766(db_of(ctx), parse_period(period), unit)
        emit(as_json, UnitIndexSchema(many=True).dump(found), lambda: "\n".join(
            f"{u.unit} {u.period}: {u.total:.2f} points, {u.grade}  "
            + "  ".join(f"N{g}={p:g}" for g, p in u.groups.items())
            + "".join(f"\n  missing (manual): {c.code} {c.name}" for c in u.criteria if c.missing) for u in found)
            or "no units")

    @audit.command("score766")
    @click.option("--unit", required=True)
    @click.option("--period", required=True)
    @click.option("--criterion", required=True, help="A manual criterion: 1, 4 or 6.3.")
    @click.option("--points", type=float, required=True)
    @click.option("--note", default="")
    @click.option("--as", "actor", required=True)
    @click.pass_context
    @handled
    def score766(ctx: click.Context, unit: str, period: str, criterion: str, points: float, note: str,
                 actor: str) -> None:
        """Enter the points of a QĐ 766 criterion quytrinh cannot compute."""
        from audits import index766

        index766.set_manual_score(db_of(ctx), unit, parse_period(period), criterion, points, actor, SystemClock(),
                                  note)
        click.echo(f"{unit} {period} criterion {criterion}: {points:g}")

    @audit.command("plan")
    @click.option("--unit", required=True)
    @click.option("--period", required=True)
    @click.option("--auditor", "auditors", multiple=True, required=True, help="Repeat; the first leads.")
    @click.option("--procedure", "procedures", multiple=True)
    @click.option("--as", "actor", required=True)
    @json_option
    @click.pass_context
    @handled
    def plan(ctx: click.Context, unit: str, period: str, auditors: tuple[str, ...], procedures: tuple[str, ...],
             actor: str, as_json: bool) -> None:
        """Plan an internal audit (auditors may not audit their own unit); draws its sample."""
        db = db_of(ctx)
        made = programme.plan_audit(db, unit, period, list(auditors), actor, SystemClock(), list(procedures) or None)
        sample = programme.draw_sample(db, made.id)
        emit(as_json, {"plan": made.__dict__, "sample": sample},
             f"{made.code}: {made.unit} {made.period}, {', '.join(made.procedures)}; sample {', '.join(sample)}")

    @audit.command("finding")
    @click.argument("plan_ref")
    @click.option("--kind", type=click.Choice(programme.KINDS), required=True)
    @click.option("--statement", required=True)
    @click.option("--clause", default="")
    @click.option("--evidence", multiple=True, help="DOSSIER or DOSSIER:SEQ (an event of its log).")
    @click.option("--as", "actor", required=True)
    @json_option
    @click.pass_context
    @handled
    def finding(ctx: click.Context, plan_ref: str, kind: str, statement: str, clause: str,
                evidence: tuple[str, ...], actor: str, as_json: bool) -> None:
        """Record a finding; a nonconformity opens a QT-CAPA-01 corrective-action case."""
        links = [{"dossier": e.partition(":")[0], "seq": int(e.partition(":")[2]) if e.partition(":")[2] else None}
                 for e in evidence]
        made = programme.record_finding(db_of(ctx), plan_ref, kind, statement, actor, SystemClock(), clause,
                                        evidence=links)
        emit(as_json, made, f"{made['ref']} {kind}" + (f" → corrective action {made['capa']}" if made["capa"] else ""))

    @audit.command("sample")
    @click.argument("plan_ref")
    @json_option
    @click.pass_context
    @handled
    def sample(ctx: click.Context, plan_ref: str, as_json: bool) -> None:
        """The dossiers drawn for an audit (drawn once; the same every time)."""
        drawn = programme.draw_sample(db_of(ctx), plan_ref)
        emit(as_json, {"plan": plan_ref, "sample": drawn}, "\n".join(drawn) or "no dossier in the period")

    @audit.command("answer")
    @click.argument("plan_ref")
    @click.option("--procedure", required=True)
    @click.option("--item", "item_no", type=int, required=True, help="The checklist item number.")
    @click.option("--answer", "value", type=click.Choice((*programme.KINDS, "not_applicable")), required=True)
    @click.option("--note", default="")
    @click.option("--evidence", multiple=True, help="DOSSIER or DOSSIER:SEQ (an event of its log).")
    @click.option("--as", "actor", required=True)
    @click.pass_context
    @handled
    def answer(ctx: click.Context, plan_ref: str, procedure: str, item_no: int, value: str, note: str,
               evidence: tuple[str, ...], actor: str) -> None:
        """Answer one checklist item (a member of the audit team), with its evidence."""
        from audits.programme_views import evidence_refs

        links = evidence_refs(",".join(evidence))
        programme.answer(db_of(ctx), plan_ref, procedure, item_no, value, actor, note, links)
        click.echo(f"{plan_ref} {procedure} #{item_no}: {value}")

    @audit.command("close")
    @click.argument("plan_ref")
    @click.option("--as", "actor", required=True)
    @click.pass_context
    @handled
    def close(ctx: click.Context, plan_ref: str, actor: str) -> None:
        """Close an audit once every checklist item is answered."""
        programme.close_plan(db_of(ctx), plan_ref, actor)
        click.echo(f"{plan_ref}: done")

    @audit.command("programme")
    @click.option("--year", type=int, required=True)
    @json_option
    @click.pass_context
    @handled
    def programme_of(ctx: click.Context, year: int, as_json: bool) -> None:
        """The year's audits and which units they covered."""
        from audits.programme_views import coverage

        db = db_of(ctx)
        units = coverage(db, year)
        plans = [{"code": p.code, "unit": p.unit, "period": p.period, "procedures": p.procedures, "status": p.status}
                 for p in programme.list_plans(db, year)]
        rows = [{"unit": u.code, "name": u.name, "plans": [c for c, _s in u.plans],
                 "nonconformities": u.nonconformities} for u in units]
        text = "\n".join(f"{'x' if u.plans else ' '} {u.code:<12} {u.name} {' '.join(c for c, _s in u.plans)}"
                         for u in units)
        emit(as_json, {"year": year, "plans": plans, "coverage": rows},
             f"{sum(1 for u in units if u.audited)}/{len(units)} units audited in {year}\n{text}")

    @audit.command("report")
    @click.option("--year", type=int, required=True)
    @click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
    @click.option("--kind", type=click.Choice(KINDS), default="annual", show_default=True,
                  help="annual (everything), review (management-review pack), cchc (quarterly figures).")
    @click.option("-o", "--output", required=True)
    @json_option
    @click.pass_context
    @handled
    def report(ctx: click.Context, year: int, fmt: str, kind: str, output: str, as_json: bool) -> None:
        """Write the annual internal-audit report (HTML, PDF or XLSX)."""
        # The same stages as the report job (jobs/kinds.py), shown as a bar on stderr.
        from jobs.kinds import run_report

        with Bar(f"Báo cáo {year}", enabled=not as_json) as bar:
            made = run_report(db_of(ctx), SystemClock(), {"year": year, "fmt": fmt, "kind": kind}, bar)
            Path(output).write_bytes(made.content or b"")
            bar(3, 3, "Đã ghi tệp")
        headline = made.result["headline"]
        emit(as_json, {"output": output, "headline": headline}, f"wrote {output}: " + ", ".join(
            f"{k} {v}" for k, v in headline.items()))
