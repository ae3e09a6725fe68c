"""The demo district: a simulated year of dossiers and the year's internal audits, for `quytrinh demo`.

It sits above audits (cli -> demo -> audits -> processes): it drives the real use cases of both, and
nothing in audits, processes or web depends on it.
"""

from .checkpoint import Checkpoint, saved_run
from .internal_audits import AuditSummary, run_demo_audits
from .iso_metadata import fill_iso_metadata
from .year import DemoSummary, generate_year

__all__ = ["AuditSummary", "Checkpoint", "DemoSummary", "fill_iso_metadata", "generate_year", "run_demo_audits",
           "saved_run"]
