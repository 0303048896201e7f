"""Who owns a mirrored object: the display name of a peer node, by its base URL.

Venues, bookings and events show a peer's venues, resources and events beside ours, marked with
the node they come from; the peer's name is ``federation.Peer.name``, which these apps sit below
and may not import. ``federation`` fills this registry in its ``AppConfig.ready``; without it
(a node without federation, unit tests) a peer is named by its URL's host.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import pgettext

_names: Callable[[], dict[str, str]] | None = None


def register(*, names: Callable[[], dict[str, str]]) -> None:
    """``names()`` answers ``{base URL: display name}`` for every known peer (cached by its owner)."""
    global _names  # filled once, at start-up
    _names = names


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _key(url: str) -> str:
    return url.rstrip("/")


def origin_name(url: str) -> str:
    """The peer's display name; our own name for an empty origin (our own objects)."""
    if not url:
        return settings.ESSAIM_NODE_NAME
    if _names is not None:
        names = _names()
        name = names.get(_key(url)) or names.get(url)
        if name:
            return name
    return _host(url)


def origin_label(url: str) -> str:
    """ "on <node>" for a mirrored object, empty for our own (templates print it as it is)."""
    if not url:
        return ""
    return pgettext("origin node", "on %(node)s") % {"node": origin_name(url)}


def origin_url(url: str) -> str:
    """The owning node's base URL as the API gives it: ours for our own objects."""
    return url or settings.ESSAIM_NODE_URL


def localized_url(urls: dict, language: str | None) -> str:
    """A mirrored object's page on its own node in ``language``, falling back to the site's default
    language, then to any language the owner publishes."""
    if not urls:
        return ""
    for code in (language or "", (language or "")[:2], settings.LANGUAGE_CODE, settings.LANGUAGE_CODE[:2]):
        if code and urls.get(code):
            return urls[code]
    return next((url for url in urls.values() if url), "")
