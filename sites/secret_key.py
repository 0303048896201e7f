"""The development secret key: random, made once in ``var/`` and kept there.

A key published in the source (Django's template key, or ours before) lets anyone sign a session,
a password-reset link or a payment link for any node that runs with it. Without ``SECRET_KEY`` in
the environment, a development node therefore makes its own key on first start, readable by its
owner only, and reuses it so sessions survive restarts. Production must set ``SECRET_KEY``
(settings refuse to start with ``DEBUG`` off and no key).
"""

import os
import secrets
import stat
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def development_secret_key(path: Path) -> str:
    """The key stored at ``path``, made there (mode 0600) if there is none yet.

    Several processes may start at once (gunicorn's workers): the key is written to a private
    temporary file and linked into place, which fails if another process got there first; every
    process then reads the one key that won.
    """
    if not path.exists():
        key = secrets.token_urlsafe(50)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(handle, "w") as file:
                file.write(key + "\n")
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)  # a copy made with a loose umask: the key is for its owner only
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it and a new one is made.")
    return key
