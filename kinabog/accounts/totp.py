"""Time-based one-time passwords (RFC 6238) for step-up: secrets, QR codes and code checks."""

from __future__ import annotations

import time

import pyotp
import segno

ISSUER = "Kinabog"
DIGITS = 6
# Accept the code of the previous and the next 30-second step too: phone clocks drift and people type slowly.
VALID_WINDOW = 1


def current_time() -> float:
    """The clock codes are checked against (tests replace it to move between time steps)."""
    return time.time()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_code_data_uri(uri: str, scale: int = 5) -> tuple[str, int]:
    """An SVG QR code as a data: URI (allowed by the CSP's img-src) and its width in pixels."""
    qr = segno.make(uri, micro=False, error="m")
    size = int(qr.symbol_size(scale=scale)[0])
    return qr.svg_data_uri(scale=scale, dark="#000", light="#fff"), size


def readable_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_counter(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code this is, or None when the code matches no step in the window."""
    totp = pyotp.TOTP(secret, digits=DIGITS)
    now_step = totp.timecode(current_time() if at is None else at)
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            return step
    return None
