"""``make run`` serves the demo as it is deployed: gunicorn with threads, whitenoise for static files.

Django's development server listens with a queue of 10 connections: in a burst of 40 the kernel
dropped the rest of the handshakes (each client waited for its SYN to be retried a second later, or
was reset where the kernel aborts on overflow). gunicorn listens with a queue of 2048.

It starts a real server (tens of seconds on a loaded machine) and does not depend on the database
engine, so it carries the ``browser`` marker: it runs once, in CI's first pass with the browser tests.
"""

import pytest

from tests.support.server import SYN_RETRY_SECONDS, burst, free_port, make_serve_command, server_environment, serving

pytestmark = pytest.mark.browser


def test_make_run_answers_a_burst_of_40_connections(tmp_path):
    port = free_port()
    with serving(make_serve_command(port), server_environment(tmp_path), port, log=tmp_path / "server.log"):
        answers = burst(port, connections=40)
    assert [answer.status for answer in answers] == ["200"] * 40
    waited = [answer.connect_seconds for answer in answers if answer.connect_seconds > SYN_RETRY_SECONDS]
    assert waited == [], f"{len(waited)} connections were not accepted at once"
    # A development key was made for this node, not a published one (no SECRET_KEY in make run's environment).
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
