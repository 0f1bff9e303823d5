"""The TOTP helpers: which time step a code belongs to, and what enrolment shows."""

from __future__ import annotations

from urllib.parse import unquote

import pyotp

from kinabog.accounts import totp
from kinabog.accounts.models import TotpDevice
from kinabog.accounts.queries import totp_enrolment

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_900_000_005.0


def test_the_code_of_now_and_its_neighbours_match_their_steps() -> None:
    step = int(NOW) // 30
    for offset in (-1, 0, 1):
        code = pyotp.TOTP(SECRET).at(NOW + 30 * offset)
        assert totp.matching_counter(SECRET, code, at=NOW) == step + offset


def test_codes_outside_the_window_or_of_another_secret_do_not_match() -> None:
    assert totp.matching_counter(SECRET, pyotp.TOTP(SECRET).at(NOW + 60), at=NOW) is None
    assert totp.matching_counter(SECRET, pyotp.TOTP(SECRET).at(NOW - 60), at=NOW) is None
    other = pyotp.random_base32()
    code = pyotp.TOTP(other).at(NOW)
    if code != pyotp.TOTP(SECRET).at(NOW):
        assert totp.matching_counter(SECRET, code, at=NOW) is None


def test_the_secret_is_shown_in_groups_of_four() -> None:
    assert totp.readable_secret("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_the_provisioning_uri_names_kinabog_and_the_login() -> None:
    uri = totp.provisioning_uri(SECRET, "mette")
    assert uri.startswith("otpauth://totp/Kinabog:mette?")
    assert f"secret={SECRET}" in uri and "issuer=Kinabog" in uri


def test_enrolment_shows_an_svg_qr_code_until_the_device_is_confirmed() -> None:
    device = TotpDevice(secret=SECRET, confirmed=False)
    enrolment = totp_enrolment(device, "mette")
    assert enrolment is not None
    assert enrolment.qr_code.startswith("data:image/svg+xml")
    assert "<svg" in unquote(enrolment.qr_code)
    assert enrolment.qr_size > 100
    assert enrolment.secret.replace(" ", "") == SECRET
    device.confirmed = True
    assert totp_enrolment(device, "mette") is None
