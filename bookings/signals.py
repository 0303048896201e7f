"""Signals the booking engine sends to the apps built on it (events listen; bookings never import them)."""

from django.dispatch import Signal

#: Units of a resource came free (a booking was cancelled, expired or rejected), after the commit.
#: Arguments: ``booking_id``, ``resource_id``, ``start``.
units_released = Signal()
