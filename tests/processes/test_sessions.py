"""Server-side sessions and database rate counters (issue 11 item 4), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from processes import rate_counters, sessions
from processes.schema import users


def test_a_session_lives_until_logout_and_the_token_is_not_stored(org, clock):
    now = clock.now()
    token = sessions.open_session(org, "motcua", now, "Firefox")
    assert sessions.user_of(org, token, now) == "motcua"
    [listed] = sessions.sessions_of(org, "motcua")
    assert listed.id != token and listed.user_agent == "Firefox" and listed.active
    assert sessions.close(org, token, now + dt.timedelta(minutes=5))
    assert sessions.user_of(org, token, now + dt.timedelta(minutes=6)) is None
    assert not sessions.close(org, token, now)  # already ended
    assert sessions.sessions_of(org, "motcua") == []
    assert [s.revoked_at for s in sessions.sessions_of(org, "motcua", include_revoked=True)] == [
        now + dt.timedelta(minutes=5)]
    assert sessions.user_of(org, "made-up", now) is None and sessions.user_of(org, None, now) is None


def test_an_administrator_ends_one_session_or_all(org, clock):
    now = clock.now()
    office, laptop, phone = (sessions.open_session(org, "cv.ktht", now, agent) for agent in ("A", "B", "C"))
    other = sessions.open_session(org, "motcua", now)
    by_agent = {s.user_agent: s.id for s in sessions.sessions_of(org, "cv.ktht")}
    assert sessions.revoke(org, by_agent["B"], now)
    assert sessions.user_of(org, laptop, now) is None and sessions.user_of(org, office, now) == "cv.ktht"
    assert sessions.revoke_all(org, "cv.ktht", now) == 2
    assert sessions.user_of(org, office, now) is None and sessions.user_of(org, phone, now) is None
    assert sessions.user_of(org, other, now) == "motcua"


def test_a_deactivated_user_has_no_session_left(org, clock):
    token = sessions.open_session(org, "motcua", clock.now())
    with org.write() as conn:
        conn.execute(update(users).where(users.c.username == "motcua").values(active=False))
    assert sessions.user_of(org, token, clock.now()) is None


def test_last_seen_is_written_at_most_once_a_minute(org, clock):
    now = clock.now()
    token = sessions.open_session(org, "motcua", now)
    sessions.user_of(org, token, now + dt.timedelta(seconds=30))
    assert sessions.sessions_of(org, "motcua")[0].last_seen_at == now
    sessions.user_of(org, token, now + dt.timedelta(minutes=2))
    assert sessions.sessions_of(org, "motcua")[0].last_seen_at == now + dt.timedelta(minutes=2)


def test_rate_counters_count_in_a_fixed_window(db):
    assert [rate_counters.hit(db, "login/1.2.3.4", 60, now=1000.0 + i) for i in range(3)] == [1, 2, 3]
    assert rate_counters.count(db, "login/1.2.3.4", now=1059.0) == 3
    assert rate_counters.expiry(db, "login/1.2.3.4", now=1059.0) == 1060.0
    assert rate_counters.count(db, "login/1.2.3.4", now=1060.0) == 0  # the window ended
    assert rate_counters.hit(db, "login/1.2.3.4", 60, now=1061.0) == 1  # a new one starts
    assert rate_counters.hit(db, "other", 60, amount=5, now=1061.0) == 5
    assert rate_counters.clear(db, "other") == 1 and rate_counters.count(db, "other", now=1061.0) == 0


def test_a_session_left_idle_ends_and_stays_ended(org, clock):
    now, idle = clock.now(), dt.timedelta(minutes=60)
    token = sessions.open_session(org, "motcua", now)
    # Used every 50 minutes, it lives on.
    for step in (50, 100, 150):
        assert sessions.user_of(org, token, now + dt.timedelta(minutes=step), idle=idle) == "motcua"
    # Left for an hour after its last use, it is over, and a later request does not bring it back.
    assert sessions.user_of(org, token, now + dt.timedelta(minutes=210), idle=idle) is None
    assert sessions.user_of(org, token, now + dt.timedelta(minutes=211)) is None
    assert sessions.sessions_of(org, "motcua") == []


def test_logging_out_ends_every_session_of_the_user_and_only_theirs(org, clock):
    now = clock.now()
    here, there = (sessions.open_session(org, "cv.ktht", now, agent) for agent in ("A", "B"))
    other = sessions.open_session(org, "motcua", now)
    assert sessions.close_all(org, here, now) == 2
    assert sessions.user_of(org, here, now) is None and sessions.user_of(org, there, now) is None
    assert sessions.user_of(org, other, now) == "motcua"
    assert sessions.close_all(org, "made-up", now) == 0 and sessions.close_all(org, None, now) == 0
