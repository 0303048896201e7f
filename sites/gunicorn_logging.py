"""gunicorn's access log, naming the client as Essaim reads it (``core.client_address``).

gunicorn writes ``REMOTE_ADDR`` as ``%(h)s``: behind nginx that is nginx, for every line. The
access log is where a request is seen, so it gets the same address the rate limits count.
"""

from gunicorn.glogging import Logger

from core.client_address import client_address_of, trusted_proxies


class AccessLogger(Logger):
    """``%(h)s`` is the client behind our proxies (``ESSAIM_TRUSTED_PROXIES``), not the proxy."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        address = client_address_of(environ, trusted_proxies())
        atoms["h"] = "-" if address is None else str(address)
        return atoms
