"""Issue 12: back-off per account after repeated failed logins (counted in the shared database)."""

from __future__ import annotations

import datetime as dt

from processes import login_guard, organisation
from processes.clock import FixedClock


def test_an_account_waits_longer_after_each_failure_beyond_five_and_a_success_clears_it(org, clock):
    at = clock.now()
    for i in range(5):
        assert login_guard.wait_needed(org, "motcua", at) == dt.timedelta(0), i
        organisation.authenticate(org, "motcua", "sai mật khẩu", FixedClock(at))
    assert login_guard.wait_needed(org, "motcua", at) == dt.timedelta(seconds=30)
    assert login_guard.wait_needed(org, "motcua2", at) == dt.timedelta(0)  # another account is not held back
    organisation.authenticate(org, "motcua", "sai mật khẩu", FixedClock(at + dt.timedelta(seconds=30)))
    assert login_guard.wait_needed(org, "motcua", at + dt.timedelta(seconds=40)) == dt.timedelta(seconds=50)
    later = at + dt.timedelta(minutes=2)
    assert organisation.authenticate(org, "motcua", "demo1234", FixedClock(later))
    assert login_guard.wait_needed(org, "motcua", later) == dt.timedelta(0)


def test_an_unknown_username_is_held_back_like_a_known_one(org, clock):
    for _ in range(6):
        organisation.authenticate(org, "khong.co.ai", "x", clock)
    assert login_guard.wait_needed(org, "khong.co.ai", clock.now()) == dt.timedelta(minutes=1)
