"""Peers' display names for ``core.origins`` (the "on <node>" marks of mirrored objects).

Read once into the cache and dropped whenever a peer row changes, so a page listing hundreds of
mirrors asks the database for the names at most once, not once per row.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from federation.models import Peer
from venues.services import venue_map_cache_clear

CACHE_KEY = "federation:peer-names"


def peer_names() -> dict[str, str]:
    names = cache.get(CACHE_KEY)
    if names is None:
        names = {url.rstrip("/"): name for url, name in Peer.objects.values_list("url", "name") if name}
        cache.set(CACHE_KEY, names, 3600)
    return names


@receiver([post_save, post_delete], sender=Peer, dispatch_uid="federation-peer-names")
def _peer_changed(**kwargs):
    cache.delete(CACHE_KEY)
    venue_map_cache_clear()  # the network map's markers say "on <node>"
