"""Fetch an outside calendar through the outbound guard (``core.outbound``), conditionally.

The guard refuses private, loopback, link-local and metadata addresses after DNS resolution, pins
the address it checked, re-checks every redirect and caps the body; here we add the calendar's
HTTP validators (``If-None-Match`` / ``If-Modified-Since``: a 304 costs one request and nothing
else), a deadline for the whole answer, and the reading of statuses into ``ErrorCode`` words.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from core import outbound


class FetchError(Exception):
    """The calendar could not be fetched; ``code`` is an ``ErrorCode`` value, the message plain
    words without the address."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class Fetched:
    #: ``False`` on a 304: the calendar did not change since ``etag`` / ``last_modified``.
    modified: bool
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


ACCEPT = "text/calendar, text/plain;q=0.5, */*;q=0.1"


def fetch_calendar(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GET ``url`` (already ``addresses.normalise``d) with the validators of the last answer."""
    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        answer = outbound.fetch(
            url,
            headers=headers,
            timeout=settings.ESSAIM_CALENDAR_TIMEOUT,
            total_timeout=settings.ESSAIM_CALENDAR_TIMEOUT,
            max_bytes=settings.ESSAIM_CALENDAR_MAX_BYTES,
        )
    except outbound.FetchRefused as exc:
        # The guard's messages name the host at most, except for a bad URL: never the address.
        message = str(exc)
        if exc.code == "bad_url":
            message = "The address, or one it redirects to, is not an http(s) address."
        raise FetchError(message, exc.code) from exc
    if answer.status == 304:
        return Fetched(modified=False, etag=etag, last_modified=last_modified)
    if answer.status in (404, 410):
        raise FetchError(f"The server answered {answer.status}: no calendar at this address.", "not_found")
    if answer.status in (401, 403):
        raise FetchError(f"The server answered {answer.status}: access refused.", "denied")
    if answer.status >= 500 or answer.status == 429:
        raise FetchError(f"The server answered {answer.status}.", "server_error")
    if answer.status != 200:
        raise FetchError(f"The server answered {answer.status} instead of a calendar.", "not_a_calendar")
    return Fetched(
        modified=True,
        body=answer.body,
        etag=answer.header("etag"),
        last_modified=answer.header("last-modified"),
    )
