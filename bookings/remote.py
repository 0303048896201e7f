"""What the booking engine shows of bookings made across nodes, without importing ``federation``
(which sits above it and fills this registry in its ``AppConfig.ready``, as ``accounts`` fills
``core.identity``). Unfilled (a node without federation, unit tests), nothing is remote.

- ``place``: books a mirrored resource (another node's) from its booking page: called with
  ``(request, resource, start, end, quantity)``, returns the address to go to next, or raises a
  ``DomainError`` the form shows;
- ``feed_entries``: the person's bookings on other nodes, as rows of their calendar feed;
- ``booker_label``: how a manager sees a person who booked here through another node (their name
  only if they shared it, and the node), or ``None`` for our own people;
- ``payment_return_url``: where a person who booked here through another node goes after paying
  (back to that node), or ``None``;
- ``api_place`` / ``api_rows`` / ``api_cancel``: the same for the REST API — book a mirrored
  resource (``(request, resource, data)`` → the booking as the API shows it, or a ``DomainError``),
  the person's remote bookings as API rows (``(user, when, status, now)``), cancel one by its uid;
- ``register_url``: where a mirrored event's date in the agenda posts to register from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

_hooks: dict[str, Callable] = {}


def register(**hooks: Callable) -> None:
    """Filled once, at start-up, by the federation app."""
    _hooks.update(hooks)


def placer() -> Callable | None:
    return _hooks.get("place")


def feed_entries(*, user_id: int, since: datetime) -> list:
    hook = _hooks.get("feed_entries")
    return list(hook(user_id=user_id, since=since)) if hook else []


def booker_label(user) -> str | None:
    hook = _hooks.get("booker_label")
    return hook(user) if hook else None


def payment_return_url(booking) -> str | None:
    hook = _hooks.get("payment_return_url")
    return hook(booking) if hook else None


def api_placer() -> Callable | None:
    return _hooks.get("api_place")


def api_rows(user, *, when: str, status: str, now: datetime) -> list[dict]:
    hook = _hooks.get("api_rows")
    return list(hook(user, when=when, status=status, now=now)) if hook else []


def api_canceller() -> Callable | None:
    return _hooks.get("api_cancel")


def register_url(event) -> str | None:
    hook = _hooks.get("register_url")
    return hook(event) if hook else None
