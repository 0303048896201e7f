"""gunicorn for Essaim: stateless workers behind nginx; scale with WEB_CONCURRENCY."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# gthread workers of 2 threads, kept after a sweep on 2 CPUs (README, "Tests and benchmarks"): one
# thread under gunicorn's sync worker booked fastest (63-68 bookings/s, p95 0.54-0.59 s, against
# 46-51 and 1.2-1.5 s), but sync closes every connection (nginx's upstream keepalive wasted) and
# cached pages fell from 1,200-2,300 to 590-790 req/s; gthread with one thread did not keep the
# gain (55 against 63.5 bookings/s at 2 threads). Threads also let a request that waits on the
# network (Stripe, other nodes) leave the process to others.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
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
