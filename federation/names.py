"""Peers' display names for ``core.origins`` (the "on <node>" marks of mirrored objects).

Read once into the shared cache and dropped whenever a peer row changes, so a page listing
hundreds of mirrors asks the database for the names at most once, not once per row. Each process
also keeps the answer for a few seconds: with Redis as the cache, a round trip per mirrored row
cost more than the rows themselves (a page of 60 mirrored venues: 0.15 s → 0.8 s). A rename
reaches other processes within ``LOCAL_SECONDS``.
"""

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from federation.models import Peer
from venues.services import venue_map_cache_clear

CACHE_KEY = "federation:peer-names"
LOCAL_SECONDS = 5.0

_local: tuple[float, dict[str, str]] | None = None


def peer_names() -> dict[str, str]:
    global _local  # a few seconds' memo in this process, see the module's docstring
    now = time.monotonic()
    if _local is not None and _local[0] > now:
        return _local[1]
    names = cache.get(CACHE_KEY)
    if names is None:
        names = {url.rstrip("/"): name for url, name in Peer.objects.values_list("url", "name") if name}
        cache.set(CACHE_KEY, names, 3600)
    _local = (now + LOCAL_SECONDS, names)
    return names


def forget() -> None:
    global _local
    _local = None
    cache.delete(CACHE_KEY)


@receiver([post_save, post_delete], sender=Peer, dispatch_uid="federation-peer-names")
def _peer_changed(**kwargs):
    forget()
    venue_map_cache_clear()  # the network map's markers say "on <node>"
