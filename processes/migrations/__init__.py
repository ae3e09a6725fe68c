"""The Alembic environment of quytrinh's database: env.py, script.py.mako and versions/ (one file per revision).

Alembic is driven through processes.schema_upgrade with a Config built in code: no alembic.ini is read.
The baseline revision is release 0.1.0's schema (baseline_0_1_0_a/b hold its tables, frozen).
"""
