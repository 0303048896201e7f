"""Background work for venues: thin wrappers that take ids and call one service."""

from celery import shared_task
from geopy.exc import GeopyError

from venues import services


@shared_task(acks_late=True, autoretry_for=(GeopyError,), retry_backoff=True, max_retries=3)
def venue_geocode_task(venue_id: int) -> str | None:
    result = services.venue_geocode(venue_id=venue_id)
    return result.status if result else None
