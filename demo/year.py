"""The demo district: a year of dossiers worked through the real engine on a simulated clock.

`generate_year` is a discrete-event simulation. Dossiers arrive on the working days of the year
(demo/profiles.py: rates per procedure, seasons, channels); each one is received with the
one-stop counter's use case (`processes.reception.receive`) or submitted online (`instances.start`),
and every step is completed with `instances.complete` by a demo user who holds the step's role, at
an instant drawn from the step's time limit (most early, some on time, some late). Supplement
requests pause the dossier until the applicant brings the papers (or withdraws, `dossiers.withdraw`);
a dossier about to be late gets an apology asked for (`apology.request`) and signed by the head of
the unit (`apology.sign`) — except a few, which is what the audit should catch. Answered dossiers
are rated by some applicants, and scans and electronic results are attached. Nothing is written behind the
engine's back: every row comes from a use case run at the simulated instant. Same seed, same dossiers.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from engine.durations import WorkingDuration, parse_duration
from processes import apology, catalog, dossier_actions, instances, reception
from processes.calendar_store import calendar_for
from processes.clock import FixedClock
from processes.db import Database
from processes.dossier_rules import RUNNING, markers_of
from processes.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from processes.keys import VN
from processes.paths import attachments_dir
from processes.records import dossier_state, open_steps
from processes.sla import working_before

from . import arrivals
from . import checkpoint as C
from . import deviations as D
from . import profiles as P
from . import support as S
from . import timing as T
from .cases import Case, DemoSummary, tally
from .signed_steps import StepSigner

Progress = Callable[[int, int], None]  # told of each simulated day (the CLI's bar, a job's progress page)
_MAX_STEPS = 40  # a case looping longer than this is abandoned by the simulation (never expected)
CHUNK_SECONDS = 2.0  # work committed at once (see _Sim.run)
_SPENT = random.Random(0)  # stands for the stream of a dossier nothing more happens to (_Sim._retire)


class _Sim:
    def __init__(self, db: Database, year: int, scale: float, seed: int, root: Path | None,
                 until: dt.datetime) -> None:
        self.db = C.ChunkDatabase(db)
        self.db.attachments_root = root or attachments_dir()  # where a signing step's check reads the files
        self.year, self.scale, self.seed, self.root, self.until = year, scale, seed, root, until
        self.start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
        self.clock = FixedClock(self.start)
        self.queue: list[tuple[dt.datetime, int, str, tuple]] = []
        self.seq, self.day, self.finished = 0, -1, False
        self.cases: dict[int, Case] = {}
        self.summary = DemoSummary(year, scale, seed, ends_at=until)
        with db.read() as conn:
            self.staff: S.Staff = S.staff_of(conn)
            self.calendars = {code: calendar_for(conn, uid) for code, uid in self.staff.agency_ids.items()}
            self.markers = {}
            for profile in P.PROFILES:
                try:
                    d = catalog.active_definition(conn, profile.code)
                except NotFound:
                    raise InvalidInput(f"{profile.code} is not deployed: run `quytrinh deploy bpmn/` first") from None
                self.markers[profile.code] = markers_of(conn, d.id, d.sha256).sla
        self.signer = StepSigner(self.db, self.db.attachments_root, db)  # the leaders sign at steps marked `sign`

    # ---- the event queue ------------------------------------------------------------------------

    def at(self, when: dt.datetime, kind: str, *args: Any) -> None:
        """Schedule an event of `kind` at `when`."""
        self.seq += 1
        heapq.heappush(self.queue, (when, self.seq, kind, args))

    def _due(self) -> bool:
        return bool(self.queue) and self.queue[0][0] <= self.until

    def run(self, progress: Progress | None, saved: Path) -> None:
        """Handle the events in time order until none is left before `until`, a chunk of days per transaction.

        A chunk ends at the first day boundary after CHUNK_SECONDS of work: a crash loses at most that, and
        the write lock is never held long. `progress` hears of each simulated day once its chunk committed
        (a job's progress is written through another connection, which the chunk would block)."""
        total = max(1, (self.until - self.start).days)
        while self._due() or not self.finished:
            heard: list[int] = []
            with self.db.chunk() as conn:
                began = time.perf_counter()
                while self._due():
                    when = self.queue[0][0]
                    # Simulated days, not events: a year of events is not known before it has been simulated.
                    if (day := (max(when, self.clock.now()) - self.start).days) > self.day:
                        if heard and time.perf_counter() - began >= CHUNK_SECONDS:
                            break
                        self.day = day
                        heard.append(min(day, total))
                    _, _, kind, args = heapq.heappop(self.queue)
                    self.clock.set(max(when, self.clock.now()))
                    getattr(self, f"_on_{kind}")(*args)
                self.finished = not self._due()
                C.save(saved, C.Checkpoint(C.fingerprint(conn), C.identity(conn), self.day, self.finished,
                                           self.state()))
            for day in heard:
                if progress is not None:
                    progress(day, total)

    _STATE = ("queue", "seq", "cases", "summary", "day", "finished", "until")

    def state(self) -> dict[str, Any]:
        """What the checkpoint keeps: everything drawn or decided so far (staff and calendars are re-read)."""
        self._retire()
        return {**{name: getattr(self, name) for name in self._STATE}, "now": self.clock.now()}

    def _retire(self) -> None:
        """Drop the random stream of every dossier no pending event names: nothing will draw from it again (only
        a pending event of a dossier schedules the next one). A stream is most of what a dossier weighs in the
        checkpoint, written at each chunk: without this it grew with the whole year, not with the work in flight."""
        pending = {args[0] for _, _, kind, args in self.queue if kind != "arrive"}
        for iid, case in self.cases.items():
            if case.rng is not _SPENT and iid not in pending:
                case.rng = _SPENT

    def restore(self, state: dict[str, Any]) -> None:
        """Continue from a checkpoint's state."""
        for name in self._STATE:
            setattr(self, name, state[name])
        self.clock.set(state["now"])

    # ---- arrivals ---------------------------------------------------------------------------------

    def plan_arrivals(self) -> None:
        """Schedule the dossiers arriving on each working day of the year (demo/arrivals.py draws them)."""
        for arrival in arrivals.draw(self.year, self.scale, self.seed, self.until, self.calendars, self.staff):
            self.at(arrival.when, "arrive", arrival.profile, arrival.number, arrival.desk)

    def _on_arrive(self, profile: P.Profile, index: int, desk: str = "") -> None:
        rng = random.Random(f"{self.seed}:{index}")
        starter = profile.starter
        agency = self.staff.agency_of[starter]
        channel = P.pick(rng, profile.channels) if profile.public else "truc_tiep"
        case = Case(profile, rng, agency, P.person(rng), channel, desk=desk)
        # a desk dossier (profiles.DESK) is never late nor sent away at the counter
        if not desk and profile.late and rng.random() < profile.late_rate:
            case.culprit = P.pick(rng, profile.late)
        # Every BACKLOG_EVERY-th, not a draw: a small year must have its backlog too (see demo/timing.step_time).
        if not desk and profile.late and self.until - self.clock.now() < P.BACKLOG_WINDOW \
                and index % P.BACKLOG_EVERY == 0:
            case.culprit, case.stalled = P.pick(rng, profile.late), True
        if not desk and profile.public and channel != "truc_tuyen" and rng.random() < 0.04:
            self._counter_visit(profile, case, starter)
            return
        try:
            if profile.public and channel != "truc_tuyen":
                iid = self._receive(profile, case, starter)
            else:
                data = {"ten_nguoi_nop": case.applicant[0], "so_giay_to": case.applicant[1], "kenh_nop": channel}
                moved = instances.start(self.db, profile.code, data if profile.public else {}, starter, self.clock)
                self.summary.use_cases += 1
                iid = moved.instance_id
                self.cases[iid] = case
                case.code = moved.business_key
                if channel == "truc_tuyen":
                    self.summary.online += 1
                    self._attach(iid, "ho-so-dien-tu.pdf", starter)
                self._schedule(iid, [(str(s.task_id), s.element_id, s.roles, s.due, s.form) for s in moved.opened])
        except (InvalidInput, PermissionDenied, ConflictError, NotFound) as exc:
            raise RuntimeError(f"demo: {profile.code} could not be received: {exc}") from exc
        self.summary.dossiers += 1
        self.summary.by_procedure[profile.code] = self.summary.by_procedure.get(profile.code, 0) + 1

    def _receive(self, profile: P.Profile, case: Case, starter: str) -> int:
        definition, step = reception.reception_step(self.db, profile.code)
        day = self.clock.now().astimezone(VN).date().isoformat()
        applicant = reception.Applicant(case.applicant[0], case.applicant[1], P.address(case.rng), "", "",
                                        case.channel)
        chosen: dict[str, object] = {"kenh_nop": case.channel, "ten_nguoi_nop": case.applicant[0],
                                     "so_giay_to": case.applicant[1]}
        form = P.fill_form(step.form, day, case.rng, chosen)
        papers = [{"name": d["name"], "kind": d["kind"], "sets": d["sets"]}
                  for d in reception.checklists().get(profile.code, []) if d.get("required") or case.rng.random() < .3]
        uploads = [reception.Upload("ho-so-scan.pdf", S.placeholder_pdf())] if case.rng.random() < profile.scans else []
        counter = reception.Counter(applicant, papers, form, "", uploads)
        received = reception.receive(self.db, profile.code, counter, "accepted", starter, self.clock,
                                     self.root or attachments_dir())
        self.summary.use_cases += 1
        self.summary.attachments += len(uploads)
        iid = received.instance_id
        if iid is None:  # only a refused or returned visit has no case; this one was accepted
            raise InvalidInput(f"the counter opened no case for {received.ref}")
        self.cases[iid] = case
        case.code = received.ref
        case.steps += 1
        self._schedule(iid, self._open_steps(iid, definition.id))
        return iid

    def _counter_visit(self, profile: P.Profile, case: Case, starter: str) -> None:
        outcome = "supplement" if case.rng.random() < 0.85 else "refused"
        note = ("Thiếu giấy tờ theo thành phần hồ sơ; hướng dẫn bổ sung" if outcome == "supplement"
                else "Thủ tục không thuộc thẩm quyền giải quyết")
        applicant = reception.Applicant(case.applicant[0], case.applicant[1], "", "", "", case.channel)
        reception.receive(self.db, profile.code, reception.Counter(applicant, note=note), outcome, starter, self.clock)
        self.summary.use_cases += 1
        self.summary.counter_visits += 1

    def _open_steps(self, iid: int, definition_id: int) -> list[tuple]:
        with self.db.read() as conn:
            procedure = self.db.procedures.get(conn, definition_id)
            return [(s.task_uuid, s.element_id, s.roles, s.due,
                     procedure.steps[s.element_id].form if s.element_id in procedure.steps else None)
                    for s in open_steps(conn, iid)]

    # ---- steps ----------------------------------------------------------------------------------

    def _schedule(self, iid: int, opened: list[tuple]) -> None:
        case = self.cases[iid]
        now = self.clock.now()
        calendar = self.calendars[case.agency]
        with self.db.read() as conn:
            state = dossier_state(conn, iid)
        appointment = state.appointment_at if state is not None and state.status_code in RUNNING else None
        for task_uuid, element, roles, due, form in opened:
            actor = self.staff.pick(case.rng, roles, case.agency)
            kind = self.markers[case.profile.code].get(element)
            if kind == "supplement":
                case.supplements += 1
                if case.rng.random() < case.profile.withdraw:
                    days = Fraction(case.rng.uniform(2, 12)).limit_denominator(8)
                    self.at(calendar.add(now, WorkingDuration(days=days)), "withdraw", iid)
                    continue
            if kind == "supplement" or not due:
                low, high = P.SUPPLEMENT_DAYS
                days = Fraction(case.rng.uniform(low, high)).limit_denominator(8)
                when = calendar.add(now, WorkingDuration(days=days))
            else:
                when = T.step_time(calendar, now, case, element, parse_duration(due), appointment, self.until)
            when = max(when, calendar.add(now, T.least(case.rng, due, calendar.elapsed(now, appointment)
                                                       if appointment is not None and appointment > now else None)))
            self.at(when, "complete", iid, task_uuid, element, actor, form)
            if appointment is not None and when > appointment:
                self._maybe_apologise(iid, case, appointment, when, actor)

    def _on_complete(self, iid: int, task_uuid: str, element: str, actor: str, form) -> None:
        case = self.cases[iid]
        case.visits[element] += 1
        case.steps += 1
        if case.steps > _MAX_STEPS:
            return
        chosen: dict[str, object] = {}
        for decision in case.profile.decisions.get(element, ()):
            weights = decision.first if case.visits[element] == 1 else (decision.again or decision.first)
            # a desk dossier takes the main path: each decision's first option
            chosen[decision.field] = next(iter(weights)) if case.desk else P.pick(case.rng, weights)
        if element == "Task_TiepNhan":
            chosen.update(ten_nguoi_nop=case.applicant[0], so_giay_to=case.applicant[1], kenh_nop=case.channel)
        day = self.clock.now().astimezone(VN).date().isoformat()
        data = P.fill_form(form, day, case.rng, chosen)
        try:
            if D.on_paper(iid, case.steps):
                moved = D.record_on_paper(self.db, iid, task_uuid, self.staff.leader_of(case.agency), self.clock, data)
                self.summary.deviations += 1
            else:
                self.signer.sign(self.summary, case, iid, task_uuid, element, actor, self.clock)
                moved = instances.complete(self.db, task_uuid, data, actor, self.clock)
        except ConflictError:  # withdrawn meanwhile
            return
        self.summary.use_cases += 1
        self.summary.steps += 1
        if moved.status != "running":
            self._finished(iid, case, task_uuid, actor, moved.end_event)
            return
        self._schedule(iid, [(str(s.task_id), s.element_id, s.roles, s.due, s.form) for s in moved.opened])

    def _finished(self, iid: int, case: Case, task_uuid: str, actor: str, end: str | None) -> None:
        refused = end is not None and ("TuChoi" in end or "Khong" in end)
        case.ending = "refused" if refused else "done"
        if case.profile.public and not refused and case.rng.random() < case.profile.e_result:
            self._attach(iid, "ket-qua-dien-tu.pdf", actor, task_uuid, self.signer.signed_of(case))
        if case.profile.rating and case.rng.random() < case.profile.rating:
            later = self.calendars[case.agency].add(self.clock.now(), WorkingDuration(
                minutes=Fraction(case.rng.randint(5, 2400))))
            self.at(later, "rate", iid)

    def _on_withdraw(self, iid: int) -> None:
        case = self.cases[iid]
        try:
            dossier_actions.withdraw(self.db, iid, self.staff.pick(case.rng, ("mot_cua",), case.agency), self.clock,
                              "Người nộp rút hồ sơ, không bổ sung được giấy tờ")
        except (ConflictError, PermissionDenied, InvalidInput):
            return
        case.ending = "withdrawn"
        self.summary.use_cases += 1

    def _on_rate(self, iid: int) -> None:
        case = self.cases[iid]
        with self.db.read() as conn:
            state = dossier_state(conn, iid)
        result = state.result if state is not None else None
        weights = {5: 60, 4: 32, 3: 6, 2: 1.5, 1: 0.5} if result != "late" else {5: 10, 4: 25, 3: 35, 2: 20, 1: 10}
        score = int(P.pick(case.rng, {str(k): v for k, v in weights.items()}))
        if S.rate(self.db, case.code, case.applicant[1], score, self.clock):
            self.summary.ratings += 1
            self.summary.use_cases += 1

    # ---- apologies --------------------------------------------------------------------------------

    def _maybe_apologise(self, iid: int, case: Case, appointment: dt.datetime, planned: dt.datetime,
                         actor: str) -> None:
        if case.apology or not case.profile.public:
            return
        if case.rng.random() >= P.APOLOGY_SHARE:
            case.apology = "skipped"
            return
        calendar = self.calendars[case.agency]
        soonest = calendar.add(self.clock.now(), WorkingDuration(minutes=Fraction(case.rng.randint(5, 60))))
        ask = max(soonest, working_before(calendar, appointment, parse_duration("P1D")))
        if ask < planned:
            case.apology = "asked"
            self.at(ask, "apology", iid, actor, planned)

    def _on_apology(self, iid: int, actor: str, planned: dt.datetime) -> None:
        case = self.cases[iid]
        try:
            view = apology.request(self.db, iid, actor, self.clock, "Hồ sơ phức tạp, cần thêm thời gian xử lý")
        except (ConflictError, PermissionDenied, InvalidInput):
            self.summary.apology_failures += 1
            return
        self.summary.use_cases += 1
        calendar, now = self.calendars[case.agency], self.clock.now()
        later = calendar.add(now, WorkingDuration(minutes=Fraction(case.rng.randint(15, 240))))
        if later >= planned:
            later = now + (planned - now) / 2
        self.at(later, "sign", view.id, self.staff.leader_of(view.unit))

    def _on_sign(self, apology_id: int, leader: str) -> None:
        try:
            apology.sign(self.db, apology_id, leader, self.clock)
        except (ConflictError, PermissionDenied, InvalidInput):
            self.summary.apology_failures += 1
            return
        self.summary.apologies += 1
        self.summary.use_cases += 1

    def _attach(self, iid: int, name: str, actor: str, task_uuid: str | None = None, pdf: bytes | None = None) -> None:
        S.attach_pdf(self.db, self.root or attachments_dir(), iid, name, actor, self.clock, task_uuid, pdf)
        self.summary.attachments += 1
        self.summary.use_cases += 1


def generate_year(db: Database, year: int, scale: float = 1.0, seed: int = 2025,
                  attachments_root: Path | None = None, until: dt.datetime | None = None,
                  progress: Progress | None = None) -> DemoSummary:
    """Simulate a year of the demo district through the engine; return what was produced.

    The demo organisation and the procedures of demo/profiles.py must be deployed. Dossiers arrive
    until the demo's "today" (`until`, by default the end of `year` or now: checkpoint.end_of), and those
    in flight then are left open as they are. `progress(done, total)` hears of each simulated day (CLI bars, jobs).
    An interrupted run (same year, scale, seed) resumes where it stopped; a finished one is not run again.
    """
    if scale <= 0:
        raise InvalidInput("scale must be positive")
    started = time.perf_counter()
    end = C.end_of(year, until)
    saved = C.path_of(attachments_root or attachments_dir(), db, year, scale, seed, until)
    with db.read() as conn:
        found = C.load(saved, conn)
    if found is not None and found.finished:
        summary = tally(found.state["summary"], list(found.state["cases"].values()))
        summary.already_done, summary.resumed_at_day, summary.seconds = True, found.days, 0.0
        return summary
    with S.fast_sqlite(db):
        sim = _Sim(db, year, scale, seed, attachments_root, end)
        if found is not None:
            sim.restore(found.state)
            sim.summary.resumed_at_day = found.days
        else:
            sim.plan_arrivals()
        sim.run(progress, saved)
    summary = tally(sim.summary, list(sim.cases.values()))
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary
