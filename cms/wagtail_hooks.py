"""The admin hooks of the site app: translating pages (``cms.translation``)."""

from cms import translation  # noqa: F401 — registers its hooks
