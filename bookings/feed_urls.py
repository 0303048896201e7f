"""URL patterns (filled by the booking engine's views)."""

urlpatterns: list = []
