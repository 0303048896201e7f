"""Sign-up and "forgotten password": does the answer's time tell whether an address has an account?

Run with ``make bench`` (or ``.venv/bin/python -m pytest tests/benchmarks/bench_account_answers.py
-m benchmark -s``). The same request with an address Essaim knows and one it does not, interleaved,
through Django's test client, with the production password hasher (PBKDF2) and e-mails to the
locmem outbox; allauth's rate limits are off for the run. Prints medians, p90s and the known/unknown
ratio of medians; asserts only that both answers are the same page and that both send one e-mail.
"""

import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.benchmarks.support import db_label, load_average, ms_since, print_table, summary

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ROUNDS = 30
PASSWORD = "Ruche-des-Pentes-2026"  # noqa: S105


def timed(client, path, data) -> tuple[float, int, str]:
    outbox = len(mail.outbox)
    start = time.perf_counter_ns()
    response = client.post(path, data)
    elapsed = ms_since(start)
    return elapsed, len(mail.outbox) - outbox, response.get("Location", "")


def test_known_and_unknown_addresses_answer_alike(django_user_model, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    settings.AXES_ENABLED = False
    known = django_user_model.objects.create_user("camille", "camille@example.org", PASSWORD)
    assert known.email
    with translation.override("fr"):
        reset, signup = reverse("account_reset_password"), reverse("account_signup")
    samples: dict[str, list[float]] = {
        key: [] for key in ("reset known", "reset unknown", "sign-up taken", "sign-up new")
    }
    answers: dict[str, set] = {key: set() for key in samples}
    for n in range(ROUNDS):
        for key, path, data in (
            ("reset known", reset, {"email": "camille@example.org"}),
            ("reset unknown", reset, {"email": f"nobody{n}@example.org"}),
            ("sign-up taken", signup, _signup("camille@example.org")),
            ("sign-up new", signup, _signup(f"newcomer{n}@example.org")),
        ):
            elapsed, mails, location = timed(Client(), path, data)
            if n:  # the first round warms caches and templates
                samples[key].append(elapsed)
            answers[key].add((mails, location))
    assert answers["reset known"] == answers["reset unknown"]
    assert answers["sign-up taken"] == answers["sign-up new"]
    rows = []
    for known_key, unknown_key in (("reset known", "reset unknown"), ("sign-up taken", "sign-up new")):
        a, b = summary(samples[known_key]), summary(samples[unknown_key])
        rows.append([known_key, a["median"], a["p90"], unknown_key, b["median"], b["p90"], a["median"] / b["median"]])
    print_table(
        f"Known vs unknown address ({db_label()}, {ROUNDS - 1} rounds, load {load_average()})",
        ["known", "median ms", "p90 ms", "unknown", "median ms", "p90 ms", "ratio"],
        rows,
    )


def _signup(email: str) -> dict:
    return {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "Camille",
        "last_name": "Martin",
        "language": "fr",
    }
