"""URLs: the API, feeds and open data at fixed paths; pages under a language prefix (none for French)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts.api import LoginTokenApi
from bookings import feed_urls as bookings_feed_urls
from bookings.payments import views as payment_views
from cms.admin_links import ExternalLinkView
from cms.sitemap import NetworkSitemap
from core.health import health
from core.routes import bound_int_routes
from events import feed_urls as events_feed_urls
from venues import api as venues_api
from venues import views as venues_views

feed_urls = bookings_feed_urls.urlpatterns + events_feed_urls.urlpatterns

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", LoginTokenApi.as_view(), name="auth-token"),
    path("venues/", venues_api.VenueListApi.as_view(), name="venue-list"),
    path("venues/<int:pk>/", venues_api.VenueDetailApi.as_view(), name="venue-detail"),
    path("", include("bookings.api.urls")),
    path("", include("events.api.urls")),
]

urlpatterns = [
    # The load balancer's probe (database, cache, broker): outside the language prefixes and Wagtail's pages.
    path("health/", health, name="health"),
    # Before Wagtail's own: its external-link chooser answered 500 to a POST without a URL.
    path(
        "admin/choose-external-link/",
        never_cache(require_admin_access(ExternalLinkView.as_view())),
        name="wagtailadmin_choose_page_external_link",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include((api_v1, "api"))),
    path("open-data/venues.<str:fmt>", venues_views.open_data, name="open-data"),
    path("open-data/schema.json", venues_views.open_data, {"fmt": "schema.json"}, name="open-data-schema"),
    path("feeds/", include((feed_urls, "feeds"))),
    path("payments/stripe/webhook/", payment_views.stripe_webhook, name="stripe-webhook"),
    path("payments/checkout/<str:token>/", payment_views.checkout_redirect, name="payment-checkout"),
    path("", include("federation.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": NetworkSitemap}}),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("open-data/", venues_views.open_data_page, name="open-data-page"),
    path("", include("accounts.urls")),
    path("", include(("bookings.urls", "bookings"))),
    path("", include(("events.urls", "events"))),
    path("", include(("federation.page_urls", "federation_pages"))),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "core.api.not_found"
# allauth's rate limits answer with this page (sign-up, log-in, reset, confirmation e-mails).
handler429 = "accounts.views.ratelimits.too_many_requests"

# Every <int:…> in the URLconf (ours, Wagtail's, Django's admin) refuses ids beyond 64 bits: a 404, not a 500.
bound_int_routes(urlpatterns)
