"""Background jobs: long work (reports, exports, the demo year, bulk migration) run by `quytrinh worker`.

processes/jobs.py keeps each job's record (status, progress, file, error): that is what pages read.
This package hands jobs to Celery (jobs/celery_app.py), runs them (jobs/runner.py, jobs/kinds.py) and
recovers the ones a dead worker left behind (jobs/watch.py). It sits between web and demo in the layers:
web starts jobs, and a job may run the demo year (cli -> web -> jobs -> demo -> audits -> …).
"""

from __future__ import annotations

from .submit import CeleryQueue, JobQueue, resubmit, submit

__all__ = ["CeleryQueue", "JobQueue", "resubmit", "submit"]
