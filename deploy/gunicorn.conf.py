"""gunicorn for Essaim: stateless workers behind nginx; scale with WEB_CONCURRENCY."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# gthread with one thread per process by default: a booking is CPU work, and two threads of one
# process wait for each other's share of the interpreter (measured on 2 CPUs, 5 processes: 46-51
# bookings/s with p95 1.2-1.5 s at 2 threads, 63-68 with p95 0.54-0.59 s at 1; README, "Tests and
# benchmarks"). gthread, not sync, so that connections stay open between requests (nginx's
# upstream keepalive): sync closes each one, and cached pages fell from 3,306 to 658 req/s.
# Raise the threads if many requests wait on the network (Stripe, other nodes): each waiting
# request holds a thread.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 30
# Recycled now and then (a leak cannot grow for ever), but rarely: a restart costs seconds of CPU,
# and at 1,000 cached pages a second 2,000 requests was a restart of every worker every few seconds.
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
# The access log names the client behind our proxies, as the rate limits count it.
logger_class = "sites.gunicorn_logging.AccessLogger"
# Which peers may say the request came over https (X-Forwarded-Proto): our proxies, like
# X-Forwarded-For (ESSAIM_TRUSTED_PROXIES), else gunicorn's own variable, else loopback.
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS") or os.environ.get("ESSAIM_TRUSTED_PROXIES") or "127.0.0.1,::1"
)


def post_worker_init(worker):
    """Load the offline city gazetteer before the first visitor types a city (about a second)."""
    from venues.geocoding import warm_gazetteer  # noqa: PLC0415 (gunicorn reads this file before Django is set up)

    warm_gazetteer()
