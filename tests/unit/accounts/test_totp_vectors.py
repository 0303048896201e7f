"""The tests' own authenticator (tests/support/totp.py) gives RFC 6238's published codes (SHA-1 vectors)."""

import base64

import pytest

from tests.support.totp import totp_code

SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_rfc_6238_vectors(at, code):
    assert totp_code(SECRET, at=at, digits=8) == code
    assert totp_code(SECRET, at=at) == code[-6:]
