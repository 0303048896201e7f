"""Settings and the secret key, read as a fresh process reads them (the key is chosen at import)."""

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"
PUBLISHED = "essaim-development-only-not-secret"  # the key every checkout shared before


def settings_process(var_dir: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    clean |= {"DJANGO_SETTINGS_MODULE": "sites.settings", "ESSAIM_VAR_DIR": str(var_dir), **env}
    return subprocess.run(  # noqa: S603 — our interpreter, fixed code
        [sys.executable, "-c", PRINT_KEY], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_without_a_key_development_makes_one_in_var_and_keeps_it(tmp_path):
    first = settings_process(tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    key = first.stdout.strip()
    stored = tmp_path / "secret_key"
    assert stored.read_text().strip() == key and len(key) >= 50 and key != PUBLISHED
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    written = stored.stat().st_mtime_ns

    again = settings_process(tmp_path)
    assert again.stdout.strip() == key  # sessions and signed links survive a restart
    assert stored.stat().st_mtime_ns == written


def test_processes_starting_together_agree_on_one_key(tmp_path):
    """gunicorn's workers import the settings at the same moment on a fresh clone."""
    with ThreadPoolExecutor(4) as pool:
        keys = {done.stdout.strip() for done in pool.map(lambda _: settings_process(tmp_path), range(4))}
    assert len(keys) == 1 and keys == {(tmp_path / "secret_key").read_text().strip()}


def test_a_key_in_the_environment_wins_and_nothing_is_written(tmp_path):
    done = settings_process(tmp_path, SECRET_KEY="from-the-environment-" + "x" * 40)
    assert done.stdout.strip() == "from-the-environment-" + "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_with_debug_off_and_no_key_the_node_refuses_to_start(tmp_path):
    (tmp_path / "secret_key").write_text("a-development-key-must-not-be-used-in-production-" * 2)
    done = settings_process(tmp_path, DEBUG="false", ALLOWED_HOSTS="essaim.example")
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in done.stderr
    assert done.stdout == ""
