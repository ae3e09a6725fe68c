"""`quytrinh cchc`: the district's CCHC plan and its progress, quality systems, inspections and CCHC reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from oversight import cchc_report, par_index, plan_import, plan_progress, registry
from oversight import inspections as oversight_inspections
from processes import cchc_plan, inspections, quality_registry
from processes.clock import SystemClock
from processes.db import Database
from processes.errors import InvalidInput
from processes.quality_registry import Declared

from .output import emit, fail, handled, json_option


def _db(ctx: click.Context) -> Database:
    # The same cached Database as cli.main._db (this module cannot import cli.main: it registers us).
    obj = ctx.find_root().obj
    if "db" not in obj:
        obj["db"] = Database(obj["url"])
    return obj["db"]


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, sep, code = pair.rpartition("=")
        if not sep or not name.strip() or not code.strip():
            raise InvalidInput(f"--map takes NAME=UNIT_CODE, not '{pair}'", {"map": pair})
        found[name.strip()] = code.strip()
    return found


def _payload(result: plan_import.Preview, dry_run: bool) -> dict[str, Any]:
    return {
        "year": result.year, "dry_run": dry_run, "stored": result.stored,
        "items": [{"row": i.row, "section": i.section_no, "section_title": i.section_title, "number": i.number,
                   "task": i.task, "product": i.product, "lead_units": [c for c, _ in i.leads],
                   "cooperating_units": [c for c, _ in i.cooperating],
                   "budget": str(i.budget) if i.budget is not None else None,
                   "deadline_text": i.deadline_text, "due_date": i.due.isoformat() if i.due else None}
                  for i in result.items],
        "sections": [{"section": no, "title": title, "items": n, "budget": str(money)}
                     for no, title, n, money in result.sections()],
        "budget_total": str(result.budget_total),
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors],
    }


def _text(result: plan_import.Preview) -> str:
    lines = [f"{i.section_no}.{i.number} {i.task.splitlines()[0][:60]} | {', '.join(c for c, _ in i.leads)} | "
             f"{i.due or 'thường xuyên'} | {i.budget if i.budget is not None else '-'}" for i in result.items]
    lines += [f"dòng {e.row}: {e.column}: {e.message}" for e in result.errors]
    lines.append(f"{len(result.items)} nhiệm vụ, kinh phí {result.budget_total} triệu đồng; "
                 + ("đã lưu" if result.stored else "chưa lưu"))
    return "\n".join(lines)


@click.group()
def cchc() -> None:
    """The CCHC plan: import its appendix, unit aliases."""


@cchc.command("import-plan")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, required=True)
@click.option("--map", "pairs", multiple=True, help='"NAME=UNIT_CODE": a unit name of the plan (repeatable).')
@click.option("--dry-run", is_flag=True, help="Only show what would be stored.")
@click.option("--as", "actor", default="cv.nv", show_default=True, help="Who imports (Phòng Nội vụ).")
@json_option
@click.pass_context
@handled
def import_plan(ctx: click.Context, path: str, year: int, pairs: tuple[str, ...], dry_run: bool, actor: str,
                as_json: bool) -> None:
    """Import the plan appendix PATH (XLSX) of YEAR: one QT-CCHC-01 case per item, nothing if a row is wrong."""
    db, data = _db(ctx), Path(path).read_bytes()
    result = plan_import.preview(db, data, year, _mapping(pairs))
    if not dry_run and not result.errors:
        result = plan_import.import_plan(db, data, year, actor, SystemClock(), Path(path).name, _mapping(pairs))
    emit(as_json, _payload(result, dry_run), lambda: _text(result))
    if result.errors:
        fail(f"{len(result.errors)} rows of the plan are wrong; nothing was stored", 6, None, as_json)


@cchc.command("alias")
@click.argument("unit")
@click.argument("name")
@json_option
@click.pass_context
@handled
def alias(ctx: click.Context, unit: str, name: str, as_json: bool) -> None:
    """Declare NAME as another name of UNIT for plan imports."""
    folded = cchc_plan.add_alias(_db(ctx), unit, name)
    emit(as_json, {"unit": unit, "alias": name, "folded": folded}, f"{unit}: {name}")


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput(f"'{value}' is not a date (YYYY-MM-DD)", {"date": value or ""}) from None


@cchc.command("declare-qms")
@click.argument("unit")
@click.option("--scope", default="", help="Scope of the quality system.")
@click.option("--decision-no", default="", help="Number of the announcement decision (công bố).")
@click.option("--decision-date", default=None, help="Its date, YYYY-MM-DD.")
@click.option("--decision-file", default="", help="Where its file is kept.")
@click.option("--procedure", "procedures", multiple=True, help='A declared internal procedure: "CODE=NAME" or a name.')
@click.option("--as", "actor", default="iso", show_default=True)
@json_option
@click.pass_context
@handled
def declare_qms(ctx: click.Context, unit: str, scope: str, decision_no: str, decision_date: str | None,
                decision_file: str, procedures: tuple[str, ...], actor: str, as_json: bool) -> None:
    """Record what agency UNIT declared of its quality system (replaces the earlier declaration)."""
    declared = [Declared(*p.split("=", 1)) if "=" in p else Declared("", p) for p in procedures]
    quality_registry.declare(_db(ctx), unit, actor, SystemClock(), scope, decision_no, _date(decision_date),
                             decision_file, declared)
    emit(as_json, {"unit": unit, "declared": len(declared)}, f"{unit}: {len(declared)} quy trình đã khai báo")


@cchc.command("review")
@click.argument("unit")
@click.argument("held_on")
@click.option("--as", "actor", default="iso", show_default=True)
@json_option
@click.pass_context
@handled
def review(ctx: click.Context, unit: str, held_on: str, actor: str, as_json: bool) -> None:
    """Note that agency UNIT held its management review on HELD_ON (YYYY-MM-DD)."""
    quality_registry.record_review(_db(ctx), unit, _date(held_on) or dt.date.today(), actor, SystemClock())
    emit(as_json, {"unit": unit, "held_on": held_on}, f"{unit}: xem xét của lãnh đạo ngày {held_on}")


@cchc.command("registry")
@click.option("--date", "on", default=None, help="The day judged (default: today).")
@click.option("--behind", "only_behind", is_flag=True, help="Only the agencies that are behind.")
@json_option
@click.pass_context
@handled
def registry_command(ctx: click.Context, on: str | None, only_behind: bool, as_json: bool) -> None:
    """Each agency's quality system: audits, reviews, open nonconformities, digitisation rate, what is behind."""
    lines = registry.registry(_db(ctx), _date(on) or dt.date.today())
    lines = [s for s in lines if s.behind] if only_behind else lines
    payload = [{**{k: v for k, v in vars(s).items()},
                "rate": round(s.rate * 100, 1) if s.rate is not None else None} for s in lines]
    emit(as_json, payload, lambda: "\n".join(
        f"{s.code} {s.name}: đánh giá {s.last_audit or '-'}, xem xét {s.last_review or '-'}, "
        f"điện tử hóa {'-' if s.rate is None else f'{s.rate:.0%}'}; "
        + ("; ".join(s.behind) if s.behind else "đúng tiến độ") for s in lines))


@cchc.group("inspection")
def inspection() -> None:
    """The year's CCHC/ISO inspections: plan, conclude, findings, coverage, minutes."""


@inspection.command("plan")
@click.argument("unit")
@click.option("--year", type=int, required=True)
@click.option("--from", "planned_from", required=True, help="YYYY-MM-DD")
@click.option("--to", "planned_to", required=True, help="YYYY-MM-DD")
@click.option("--team", multiple=True, required=True, help="Username (repeatable; the first leads).")
@click.option("--self", "is_self", is_flag=True, help="The unit's own self-inspection.")
@click.option("--as", "actor", default="cv.nv", show_default=True)
@json_option
@click.pass_context
@handled
def inspection_plan(ctx: click.Context, unit: str, year: int, planned_from: str, planned_to: str,
                    team: tuple[str, ...], is_self: bool, actor: str, as_json: bool) -> None:
    """Plan an inspection of UNIT."""
    found = inspections.plan_inspection(_db(ctx), year, unit, _date(planned_from) or dt.date.today(),
                                        _date(planned_to) or dt.date.today(), list(team), actor, SystemClock(),
                                        kind="self" if is_self else "inspection")
    emit(as_json, {"code": found.code, "unit": found.unit, "kind": found.kind}, found.code)


@inspection.command("conclude")
@click.argument("code")
@click.option("--on", "done_on", required=True, help="YYYY-MM-DD")
@click.option("--conclusion", required=True)
@click.option("--as", "actor", required=True)
@json_option
@click.pass_context
@handled
def inspection_conclude(ctx: click.Context, code: str, done_on: str, conclusion: str, actor: str,
                        as_json: bool) -> None:
    """Record that inspection CODE was done, with its conclusion."""
    inspections.conclude(_db(ctx), code, _date(done_on) or dt.date.today(), conclusion, actor, SystemClock())
    emit(as_json, {"code": code, "status": "done"}, f"{code}: done")


@inspection.command("finding")
@click.argument("code")
@click.option("--kind", type=click.Choice(inspections.FINDING_KINDS), required=True)
@click.option("--statement", required=True)
@click.option("--responsible", default=None, help="Who corrects a nonconformity (username).")
@click.option("--as", "actor", required=True)
@json_option
@click.pass_context
@handled
def inspection_finding(ctx: click.Context, code: str, kind: str, statement: str, responsible: str | None,
                       actor: str, as_json: bool) -> None:
    """Record a finding of inspection CODE (a nonconformity starts a QT-CAPA-01 case)."""
    found = inspections.record_finding(_db(ctx), code, kind, statement, actor, SystemClock(), responsible)
    emit(as_json, vars(found), f"{found.ref} {found.capa or ''}")


@inspection.command("coverage")
@click.option("--year", type=int, required=True)
@json_option
@click.pass_context
@handled
def inspection_coverage(ctx: click.Context, year: int, as_json: bool) -> None:
    """Units inspected and self-inspected in YEAR against the targets in force."""
    cover = oversight_inspections.coverage(_db(ctx), year)
    emit(as_json, {**vars(cover), "met": cover.met},
         f"kiểm tra {len(cover.inspected)}/{len(cover.units)} ({cover.rate:.0%}, chỉ tiêu {cover.target:.0%}); "
         f"tự kiểm tra {len(cover.self_inspected)}/{len(cover.units)} ({cover.self_rate:.0%})")


@inspection.command("minutes")
@click.argument("code")
@click.option("--out", "out", required=True, help="DOCX file to write.")
@click.pass_context
@handled
def inspection_minutes(ctx: click.Context, code: str, out: str) -> None:
    """Write the biên bản kiểm tra of inspection CODE as DOCX."""
    Path(out).write_bytes(oversight_inspections.minutes_docx(_db(ctx), code))
    click.echo(f"wrote {out}")


@cchc.command("progress")
@click.option("--year", type=int, required=True)
@click.option("--date", "on", default=None, help="The day (default: today).")
@json_option
@click.pass_context
@handled
def progress_command(ctx: click.Context, year: int, on: str | None, as_json: bool) -> None:
    """How far the plan of YEAR is: items done on time, late, overdue, open, per section and lead unit."""
    found = plan_progress.progress(_db(ctx), year, _date(on) or dt.date.today())

    def tally(t: plan_progress.Tally) -> dict[str, Any]:
        return {**t.counts, "total": t.total, "budget": str(t.budget)}

    emit(as_json, {"year": year, "date": found.day, "overall": tally(found.overall),
                   "sections": {no: {"title": found.section_titles[no], **tally(t)}
                                for no, t in found.by_section.items()},
                   "units": {u: tally(t) for u, t in found.by_unit.items()}},
         lambda: "\n".join(f"{no} {found.section_titles[no]}: {t.done}/{t.total} xong, {t.counts['overdue']} quá hạn"
                           for no, t in found.by_section.items()))


@cchc.command("report")
@click.option("--period", required=True, help="2025-Q4, 2025-H1 or 2025.")
@click.option("--out", "out", required=True, help="DOCX file to write.")
@click.pass_context
@handled
def report_command(ctx: click.Context, period: str, out: str) -> None:
    """Write the CCHC report of PERIOD for Phòng Nội vụ as DOCX (figures computed, written parts marked)."""
    Path(out).write_bytes(cchc_report.report_docx(_db(ctx), period))
    click.echo(f"wrote {out}")


@cchc.command("par-score")
@click.argument("unit")
@click.option("--year", type=int, required=True)
@click.option("--criterion", required=True)
@click.option("--points", type=str, required=True)
@click.option("--evidence", required=True, help="Document number, link: what the score rests on.")
@click.option("--as", "actor", required=True)
@json_option
@click.pass_context
@handled
def par_score(ctx: click.Context, unit: str, year: int, criterion: str, points: str, evidence: str, actor: str,
              as_json: bool) -> None:
    """Enter UNIT's PAR index self-score on a criterion, with its evidence."""
    try:
        value = Decimal(points.replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"'{points}' is not a number", {"points": points}) from None
    par_index.self_score(_db(ctx), unit, year, criterion, value, evidence, actor, SystemClock())
    emit(as_json, {"unit": unit, "criterion": criterion, "points": str(value)}, f"{unit} {criterion}: {value}")


@cchc.command("par-index")
@click.option("--year", type=int, required=True)
@click.option("--xlsx", "xlsx", default=None, help="Also write the ranking as XLSX.")
@json_option
@click.pass_context
@handled
def par_index_command(ctx: click.Context, year: int, xlsx: str | None, as_json: bool) -> None:
    """The PAR index of the district's units for YEAR: points per criterion, totals, ranking."""
    lines = par_index.index(_db(ctx), year)
    if xlsx:
        Path(xlsx).write_bytes(par_index.index_xlsx(_db(ctx), year))
    emit(as_json, [{"rank": u.rank, "unit": u.unit, "name": u.name, "total": str(u.total),
                    "criteria": {c.code: {"points": str(c.points), "computed": c.computed, "evidence": c.evidence}
                                 for c in u.criteria}} for u in lines],
         lambda: "\n".join(f"{u.rank}. {u.unit} {u.name}: {u.total}" for u in lines))
