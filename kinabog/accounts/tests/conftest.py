"""Fixtures for the accounts tests: a fixed clock for one-time codes, and demo ids."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
import pytest

from kinabog.accounts import totp
from kinabog.accounts.models import TotpDevice, User
from kinabog.institutions.models import Person


class Clock:
    """The time codes are checked against; tests move it between 30-second steps."""

    def __init__(self, now: float) -> None:
        self.now = now

    def step(self, steps: int = 1) -> None:
        self.now += 30 * steps

    def code(self, secret: str, steps_from_now: int = 0) -> str:
        return pyotp.TOTP(secret).at(self.now + 30 * steps_from_now)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # The middle of a time step, so no code is on the edge of the window.
    fixed = Clock(1_900_000_005.0)
    monkeypatch.setattr(totp, "current_time", lambda: fixed.now)
    return fixed


@pytest.fixture
def emil_id(db: None) -> int:
    return Person.objects.get(first_name="Emil", last_name="Hansen").pk


@pytest.fixture
def enrol(db: None) -> Callable[..., TotpDevice]:
    """Gives a demo login an authenticator device directly (HTTP enrolment is tested on its own)."""

    def enrol_(username: str, *, confirmed: bool = True) -> TotpDevice:
        user = User.objects.get(username=username)
        TotpDevice.objects.filter(user=user).delete()
        return TotpDevice.objects.create(user=user, secret=pyotp.random_base32(), confirmed=confirmed)

    return enrol_
