"""The development secret key (``sites.secret_key``): made once, private, reused."""

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from sites.secret_key import development_secret_key


def test_made_once_private_and_reused(tmp_path):
    path = tmp_path / "secret_key"
    key = development_secret_key(path)
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert development_secret_key(path) == key
    assert development_secret_key(tmp_path.joinpath("secret_key")) == key
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    other = tmp_path / "other"
    other.mkdir()
    assert development_secret_key(other / "secret_key") != key


def test_a_copy_readable_by_others_is_made_private(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("k" * 50 + "\n")
    path.chmod(0o644)
    assert development_secret_key(path) == "k" * 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_key_file_is_refused(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="delete it"):
        development_secret_key(path)
