"""The floors under a booking's throughput: what the same gunicorn, clients and machine give for
requests that do less and less of a booking's work (``bench_booking_throughput``).

Installed only in the benchmark's own gunicorn (``install``, from its ``post_worker_init``), never in
the product's URLs:

* ``/bench-floor/wsgi/`` — answered before Django: gunicorn, the clients and loopback HTTP alone;
* ``/bench-floor/django/`` — a bare Django view behind the whole middleware stack;
* ``/bench-floor/api/`` — a DRF view with the bookings API's authentication (a named token), JSON
  parser and throttle (same cache round trips, a rate that never refuses), answering 201 with the
  person's id: everything a booking pays before its own work.

A booking's rate can be no higher than the floor under it, so the ladder says how much of the gap
to an aim lies in our code and how much in the stack and the machine.
"""

import json

from django.http import JsonResponse
from django.urls import clear_url_caches, path
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.throttles import BookingWriteThrottle

WSGI_PATH = "/bench-floor/wsgi/"
DJANGO_PATH = "/bench-floor/django/"
API_PATH = "/bench-floor/api/"


class _UnboundedBookingThrottle(BookingWriteThrottle):
    """The booking throttle's work (read and write the person's history in the cache), no refusal."""

    def get_rate(self):
        return "1000000/min"


class FloorApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [_UnboundedBookingThrottle]
    throttle_scope = "booking"

    def post(self, request):
        return Response({"user": request.user.pk, "seen": sorted(request.data)}, status=status.HTTP_201_CREATED)


@csrf_exempt
def floor_django(request):
    return JsonResponse({"length": len(request.body)}, status=201)


def _wsgi_floor(app):
    body = json.dumps({"floor": "wsgi"}).encode()

    def application(environ, start_response):
        if environ.get("PATH_INFO") != WSGI_PATH:
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            environ["wsgi.input"].read(length)
        start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return application


def install(worker) -> None:
    """Add the three floors to this gunicorn worker: a WSGI wrapper and two URLs tried first."""
    from sites import urls  # noqa: PLC0415  (Django is set up by the time a worker has loaded the app)

    urls.urlpatterns[:0] = [
        path(DJANGO_PATH.strip("/") + "/", floor_django),
        path(API_PATH.strip("/") + "/", FloorApi.as_view()),
    ]
    clear_url_caches()
    worker.wsgi = _wsgi_floor(worker.wsgi)
