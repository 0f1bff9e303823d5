"""Reads about logins: what the step-up pages show."""

from __future__ import annotations

from dataclasses import dataclass

from . import totp
from .models import TotpDevice


@dataclass(frozen=True)
class TotpEnrolment:
    """What a person needs to add Kinabog to an authenticator app."""

    secret: str  # grouped in fours for typing
    qr_code: str  # data: URI of an SVG image
    qr_size: int  # pixels


def totp_enrolment(device: TotpDevice, username: str) -> TotpEnrolment | None:
    """The secret and QR code of a device being enrolled; None once it is confirmed.

    A confirmed device's secret is never shown again: whoever saw it could make codes.
    """
    if device.confirmed:
        return None
    qr_code, qr_size = totp.qr_code_data_uri(totp.provisioning_uri(device.secret, username))
    return TotpEnrolment(secret=totp.readable_secret(device.secret), qr_code=qr_code, qr_size=qr_size)
