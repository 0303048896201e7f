"""Essaim settings: twelve-factor, every variable read here with an embedded default.

With no environment at all Essaim runs for development: SQLite in ``var/``, Celery eager, e-mail
to the console, Stripe off. Each variable below is documented in README.md ("Configuration").
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import pgettext_lazy

from sites.email_config import email_settings
from sites.secret_key import development_secret_key
from sites.storage_config import media_sources, s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent
# ESSAIM_VAR_DIR: where the node keeps its SQLite database, uploads, static files and development key.
VAR_DIR = Path(os.environ.get("ESSAIM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# DEBUG: on by default for the quick start; production sets DEBUG=false.
DEBUG = env_bool("DEBUG", True)

# SECRET_KEY: required when DEBUG is off. With DEBUG on and none set, a random key is made once in
# var/secret_key (mode 0600) and reused (sites/secret_key.py).
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: it signs sessions, password resets and payment "
            "links. Set it in the environment to a long random value, for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = development_secret_key(VAR_DIR / "secret_key")

# ALLOWED_HOSTS: comma-separated host names this node answers to.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
# CSRF_TRUSTED_ORIGINS: origins (scheme://host) allowed to POST forms through a proxy.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# ESSAIM_TRUSTED_PROXIES: comma-separated addresses or networks (CIDR) of our own reverse proxies.
# Only a request from one of them may name its client in X-Forwarded-For (core/client_address.py);
# empty by default: every client is its TCP peer. deploy/compose.yaml sets nginx's address.
ESSAIM_TRUSTED_PROXIES = env_list("ESSAIM_TRUSTED_PROXIES", "")

# ESSAIM_NODE_URL: this node's public base URL; venues' `origin` and federation identity.
ESSAIM_NODE_URL = os.environ.get("ESSAIM_NODE_URL", "http://127.0.0.1:8000").rstrip("/")
# ESSAIM_NODE_NAME: the human name of this node.
ESSAIM_NODE_NAME = os.environ.get("ESSAIM_NODE_NAME", "Essaim")
WAGTAIL_SITE_NAME = ESSAIM_NODE_NAME
# ESSAIM_DEMO: which demo network `manage.py load_demo` (and so `make run`) loads: "" (default) the
# French network; "partner" a partner network in Québec and West Africa, for a second node beside
# the first (README, "Two nodes on one machine"), so that paired nodes mirror different venues.
ESSAIM_DEMO = os.environ.get("ESSAIM_DEMO", "").strip()
ESSAIM_VERSION = "0.1.0"
# ESSAIM_ALLOW_PRIVATE_ADDRESSES: networks (comma-separated CIDRs) that outbound fetches (peer nodes,
# outside calendars) may reach although they are private; loopback only by default with DEBUG (two
# nodes on one machine, the tests), none in production. Link-local and metadata addresses never.
ESSAIM_ALLOW_PRIVATE_ADDRESSES = [
    n.strip()
    for n in os.environ.get("ESSAIM_ALLOW_PRIVATE_ADDRESSES", "127.0.0.0/8,::1/128" if DEBUG else "").split(",")
    if n.strip()
]
# ESSAIM_NODE_PRIVATE_KEY: this node's Ed25519 signing key (PKCS#8 PEM) in production; without it the
# key is made once and kept in the database (federation.keys).
ESSAIM_NODE_PRIVATE_KEY = os.environ.get("ESSAIM_NODE_PRIVATE_KEY", "")
# ESSAIM_CALENDAR_INTERVAL: minutes between two fetches of an outside calendar (each calendar at its
# own minute within the interval); failures back off from there up to ESSAIM_CALENDAR_MAX_BACKOFF.
ESSAIM_CALENDAR_INTERVAL = int(os.environ.get("ESSAIM_CALENDAR_INTERVAL", "30"))
# ESSAIM_CALENDAR_MAX_BACKOFF: the longest wait (minutes) between two tries of a failing calendar.
ESSAIM_CALENDAR_MAX_BACKOFF = int(os.environ.get("ESSAIM_CALENDAR_MAX_BACKOFF", str(12 * 60)))
# ESSAIM_CALENDAR_MAX_BYTES: the largest outside calendar fetched (bytes; 5 MB).
ESSAIM_CALENDAR_MAX_BYTES = int(os.environ.get("ESSAIM_CALENDAR_MAX_BYTES", str(5 * 1024 * 1024)))
# ESSAIM_CALENDAR_TIMEOUT: seconds an outside calendar's server has to answer, the whole body included.
ESSAIM_CALENDAR_TIMEOUT = float(os.environ.get("ESSAIM_CALENDAR_TIMEOUT", "15"))
# ESSAIM_CALENDAR_FLAG_AFTER_HOURS: a calendar failing for longer than this (hours) is flagged to the
# venue's managers, by one e-mail per failing spell.
ESSAIM_CALENDAR_FLAG_AFTER_HOURS = int(os.environ.get("ESSAIM_CALENDAR_FLAG_AFTER_HOURS", "48"))
WAGTAILADMIN_BASE_URL = ESSAIM_NODE_URL

INSTALLED_APPS = [
    "core",
    "accounts",
    "federation",
    "cms",
    "venues",
    "bookings",
    "calendars",
    "events",
    "demo",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_countries",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # allauth's security-key list writes "3 days ago" with it.
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: every log line written while a request is handled names its client.
    "core.client_address.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads the session, the CSP nonce or the page tree: an anonymous visitor's
    # public page (home, directory, venue, agenda) comes from the cache with no query at all.
    "core.page_cache.PageCacheMiddleware",
    "core.csp.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # /api/ has no language prefix: its language is ?lang=, the person's, Accept-Language, French.
    "core.api_language.ApiLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After allauth's: the admins' log-in goes through allauth's (which asks for the second factor),
    # and staff without a second factor are sent to set one up when ESSAIM_STAFF_2FA_REQUIRED is on.
    "accounts.mfa.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # After Wagtail's "Approve" or "Request changes", which say nothing: what became of the page.
    "cms.moderation.ModerationMessageMiddleware",
    # A form without a field a view indexes, or a `next` that is no path, is a 400, not a 500.
    "core.middleware.MalformedRequestMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sites.urls"
WSGI_APPLICATION = "sites.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_chrome",
            ],
        },
    },
]

# DATABASE_URL: PostgreSQL in production (postgres://user@host:5432/name); SQLite by default.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'essaim.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers: IMMEDIATE takes the write lock at BEGIN, so concurrent
    # bookings wait for each other instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL: cache and (unless CELERY_BROKER_URL is set) the Celery broker. None: local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The test suite clears the cache around each test: run in parallel (pytest-xdist), each worker
# gets its own Redis database (the given one + 1 + its number), so that no worker clears another's.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw"):
    _base, _, _db = REDIS_URL.rpartition("/")
    if _db.isdigit():
        REDIS_URL = f"{_base}/{int(_db) + 1 + int(_XDIST_WORKER[2:])}"
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "core.redis_cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# ESSAIM_PAGE_CACHE: serve anonymous visitors' home, directory, venue and agenda pages from the cache
# above (core.page_cache); off answers every request fresh. Without REDIS_URL each process holds its
# own copy, which suits one process (`make run`); several processes need REDIS_URL to share invalidations.
ESSAIM_PAGE_CACHE = env_bool("ESSAIM_PAGE_CACHE", True)
# ESSAIM_PAGE_CACHE_SECONDS: how long a cached page may live when nothing invalidates it (time passing).
ESSAIM_PAGE_CACHE_SECONDS = int(os.environ.get("ESSAIM_PAGE_CACHE_SECONDS", "300"))

# CELERY_BROKER_URL: the broker; defaults to REDIS_URL. With neither, tasks run eagerly in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# CELERY_TASK_ALWAYS_EAGER: force eager tasks (default: on when there is no broker).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Correctness never waits for these: availability ignores expired holds by itself.
    "expire-holds": {"task": "bookings.tasks.hold_expire_all_task", "schedule": 60.0},
    "federation-remote-bookings-retry": {
        "task": "federation.tasks.remote_bookings_retry_task",
        "schedule": 60.0,
    },
    "events-extend-horizon": {"task": "events.tasks.events_extend_horizon_task", "schedule": 24 * 3600.0},
    "booking-reminders": {"task": "bookings.tasks.booking_reminders_task", "schedule": 15 * 60.0},
    # Refunds decided while Stripe was unreachable are sent again (same idempotency key, never twice).
    "refunds-resend": {"task": "bookings.tasks.refunds_resend_task", "schedule": 5 * 60.0},
    # Stripe events stored but never applied (a worker lost mid-task) are applied again.
    "stripe-events-reapply": {"task": "bookings.tasks.stripe_events_reapply_task", "schedule": 5 * 60.0},
    "idempotency-purge": {"task": "bookings.tasks.idempotency_purge_task", "schedule": 6 * 3600.0},
    # Invitations past their date are refused by themselves; this records them as expired for the list.
    "invitations-expire": {"task": "accounts.tasks.invitation_expire_all_task", "schedule": 3600.0},
    # The retention periods below (accounts.services.retention), once a day; idempotent.
    "retention-apply": {"task": "accounts.tasks.retention_apply_task", "schedule": 24 * 3600.0},
    # Pull each active peer's change feed (nudges pull at once; this catches up after a missed one
    # and retries failed peers once their backoff has passed).
    "federation-sync-peers": {"task": "federation.tasks.sync_peers_task", "schedule": 60.0},
    # Outside calendars due now (each at its own time: the scheduler spreads them, see calendars.scheduling).
    "calendars-fetch-due": {"task": "calendars.tasks.calendars_fetch_due_task", "schedule": 60.0},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Log-in by e-mail address or username on the public site (django-allauth).
    "allauth.account.auth_backends.AuthenticationBackend",
]
# AXES_FAILURE_LIMIT: failed logins from one user and address before a lock-out.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The address axes counts is the one the rate limits count (X-Forwarded-For only from our proxies).
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ident"
# One name per person whether they typed it in allauth's ``login`` field, the token API or the admin.
AXES_USERNAME_CALLABLE = "accounts.lockouts.login_name"

# Everyone logs in on the public site, staff included: allauth's log-in is the one that asks for the
# second factor (accounts.mfa sends the admins' own log-in pages there too).
LOGIN_URL = "account_login"
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
LOGIN_REDIRECT_URL = "bookings:mine"
LOGOUT_REDIRECT_URL = "/"

# Accounts (django-allauth): people sign up with their e-mail address and log in with it or a
# username (the demo's); browsing needs no account, booking needs a confirmed address
# (core.identity, checked by the booking services for the pages and the API alike).
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.signup_forms.AccountSignupForm"}
# "mandatory": a new account logs in once its address is confirmed. Only then can sign-up answer the
# same for a new and an already used address ("see your mailbox"): with "optional" allauth must
# either log the newcomer in at once or say the address is taken.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and reset answer the same whether an address exists or not (the owner is e-mailed instead).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{ESSAIM_NODE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(ESSAIM_NODE_URL).scheme or "https"

# Log-in with ProConnect and OpenID Connect providers (django-allauth's ``openid_connect``, with
# accounts/oidc's provider class). Apps live here, not in the database; a provider without a
# client id is off: no button, and its routes answer 404.
# ESSAIM_PROCONNECT_CLIENT_ID / ESSAIM_PROCONNECT_SECRET: the client ProConnect's partner space
# issued for this node (redirect URI to register: <node>/compte/oidc/proconnect/login/callback/).
ESSAIM_PROCONNECT_CLIENT_ID = os.environ.get("ESSAIM_PROCONNECT_CLIENT_ID", "")
ESSAIM_PROCONNECT_SECRET = os.environ.get("ESSAIM_PROCONNECT_SECRET", "")
# ESSAIM_PROCONNECT_SERVER_URL: ProConnect's issuer (its discovery document is below it); the
# integration platform is https://fca.integ01.dev-agentconnect.fr/api/v2.
ESSAIM_PROCONNECT_SERVER_URL = os.environ.get(
    "ESSAIM_PROCONNECT_SERVER_URL", "https://auth.agentconnect.gouv.fr/api/v2"
)
# ESSAIM_PROCONNECT_SCOPES: the claims asked for (space-separated).
ESSAIM_PROCONNECT_SCOPES = os.environ.get("ESSAIM_PROCONNECT_SCOPES", "openid email given_name usual_name siret uid")
# ESSAIM_PROCONNECT_ACR_VALUES: the authentication level asked for; empty to ask for none.
ESSAIM_PROCONNECT_ACR_VALUES = os.environ.get("ESSAIM_PROCONNECT_ACR_VALUES", "eidas1")
# ESSAIM_OIDC_CLIENT_ID / ESSAIM_OIDC_SECRET / ESSAIM_OIDC_SERVER_URL: one more OpenID Connect
# provider (a regional network's Keycloak, a partner's identity provider); SERVER_URL is its issuer.
ESSAIM_OIDC_CLIENT_ID = os.environ.get("ESSAIM_OIDC_CLIENT_ID", "")
ESSAIM_OIDC_SECRET = os.environ.get("ESSAIM_OIDC_SECRET", "")
ESSAIM_OIDC_SERVER_URL = os.environ.get("ESSAIM_OIDC_SERVER_URL", "")
# ESSAIM_OIDC_NAME: the name on its button ("Log in with <name>").
ESSAIM_OIDC_NAME = os.environ.get("ESSAIM_OIDC_NAME", "OpenID Connect")
# ESSAIM_OIDC_ID: its slug in URLs (redirect URI: <node>/compte/oidc/<id>/login/callback/).
ESSAIM_OIDC_ID = os.environ.get("ESSAIM_OIDC_ID", "oidc")
# ESSAIM_OIDC_SCOPES: the scopes asked for (space-separated).
ESSAIM_OIDC_SCOPES = os.environ.get("ESSAIM_OIDC_SCOPES", "openid profile email")
# ESSAIM_OIDC_PKCE: send a PKCE challenge (RFC 7636); Keycloak and most providers accept it.
ESSAIM_OIDC_PKCE = env_bool("ESSAIM_OIDC_PKCE", True)
# ESSAIM_OIDC_VERIFIED_EMAIL: trust this provider's addresses as verified even without an
# ``email_verified`` claim (only for a provider that checks them itself).
ESSAIM_OIDC_VERIFIED_EMAIL = env_bool("ESSAIM_OIDC_VERIFIED_EMAIL", False)


def oidc_apps() -> list[dict]:
    apps = []
    if ESSAIM_PROCONNECT_CLIENT_ID:
        apps.append(
            {
                "provider_id": "proconnect",
                "name": "ProConnect",
                "client_id": ESSAIM_PROCONNECT_CLIENT_ID,
                "secret": ESSAIM_PROCONNECT_SECRET,
                "settings": {
                    "server_url": ESSAIM_PROCONNECT_SERVER_URL,
                    "scope": ESSAIM_PROCONNECT_SCOPES.split(),
                    "auth_params": {"acr_values": ESSAIM_PROCONNECT_ACR_VALUES} if ESSAIM_PROCONNECT_ACR_VALUES else {},
                    # The State checks ProConnect's addresses (they are the professionals' own).
                    "verified_email": True,
                    "oauth_pkce_enabled": False,
                },
            }
        )
    if ESSAIM_OIDC_CLIENT_ID and ESSAIM_OIDC_SERVER_URL:
        apps.append(
            {
                "provider_id": ESSAIM_OIDC_ID,
                "name": ESSAIM_OIDC_NAME,
                "client_id": ESSAIM_OIDC_CLIENT_ID,
                "secret": ESSAIM_OIDC_SECRET,
                "settings": {
                    "server_url": ESSAIM_OIDC_SERVER_URL,
                    "scope": ESSAIM_OIDC_SCOPES.split(),
                    "verified_email": ESSAIM_OIDC_VERIFIED_EMAIL,
                    "oauth_pkce_enabled": ESSAIM_OIDC_PKCE,
                },
            }
        )
    return apps


def oidc_origins(apps: list[dict]) -> list[str]:
    """The providers' origins: the log-in buttons' forms are redirected to their authorisation
    pages, which the Content-Security-Policy's ``form-action`` must allow."""
    return sorted({"{0.scheme}://{0.netloc}".format(urlsplit(app["settings"]["server_url"])) for app in apps})


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"provider_class": "accounts.oidc.provider.EssaimOIDCProvider", "APPS": oidc_apps()}
}
OIDC_ORIGINS = oidc_origins(SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"])
SOCIALACCOUNT_ADAPTER = "accounts.oidc.adapter.SocialAccountAdapter"
# New people are signed up from the provider's claims without a form; an existing account is
# logged in (and the provider connected to it) only through an address the provider says verified.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# The log-in starts with a POST (CSRF-checked); tokens are not kept: Essaim only needs the identity.
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False

# Team invitations (accounts.services.invitations): network admins and venue managers invite people
# by e-mail to a venue's team or to the network admins.
# ESSAIM_INVITATION_DAYS: days an invitation link stays valid.
ESSAIM_INVITATION_DAYS = int(os.environ.get("ESSAIM_INVITATION_DAYS", "7"))

# Personal data (accounts: account page, export, deletion, privacy page). The retention periods the
# privacy page states and ``accounts.tasks.retention_apply_task`` applies every day:
# ESSAIM_RETENTION_UNVERIFIED_DAYS: a sign-up whose address was never confirmed is deleted after it.
ESSAIM_RETENTION_UNVERIFIED_DAYS = int(os.environ.get("ESSAIM_RETENTION_UNVERIFIED_DAYS", "7"))
# ESSAIM_RETENTION_INACTIVE_ACCOUNT_DAYS: an account nobody logged in to for this long (nothing booked
# ahead, in no team) is erased; three years, as the CNIL recommends.
ESSAIM_RETENTION_INACTIVE_ACCOUNT_DAYS = int(os.environ.get("ESSAIM_RETENTION_INACTIVE_ACCOUNT_DAYS", "1095"))
# ESSAIM_RETENTION_BOOKING_NOTES_DAYS: the free-text note of a booking is erased this long after it ended.
ESSAIM_RETENTION_BOOKING_NOTES_DAYS = int(os.environ.get("ESSAIM_RETENTION_BOOKING_NOTES_DAYS", "365"))
# ESSAIM_RETENTION_AUDIT_DAYS: status histories (bookings, waitlists) are purged after it, except a
# paid booking's, kept with its payment.
ESSAIM_RETENTION_AUDIT_DAYS = int(os.environ.get("ESSAIM_RETENTION_AUDIT_DAYS", "1095"))
# ESSAIM_RETENTION_PAYMENT_YEARS: payments, refunds and their bookings are kept this long after the
# booking (accounting records: ten years, Code de commerce L123-22), then deleted.
ESSAIM_RETENTION_PAYMENT_YEARS = int(os.environ.get("ESSAIM_RETENTION_PAYMENT_YEARS", "10"))

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with single-use recovery codes,
# and security keys (WebAuthn) as a second factor (not as passkeys that replace the password).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Browsers allow security keys on HTTPS and on http://localhost only; the check of the page's origin
# is relaxed in development (DEBUG) for http://localhost:8000, never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# The name authenticator apps show beside the account: this node's.
MFA_TOTP_ISSUER = ESSAIM_NODE_NAME
# One 30-second step of clock drift either way between the phone and the server.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
# The same checks, with a number pad for the code on phones.
MFA_FORMS = {
    "authenticate": "accounts.mfa_forms.CodeAuthenticateForm",
    "reauthenticate": "accounts.mfa_forms.CodeReauthenticateForm",
    "activate_totp": "accounts.mfa_forms.CodeActivateTOTPForm",
}
# ESSAIM_STAFF_2FA_REQUIRED: the admins (Wagtail's and Django's) refuse staff (venue managers, hub
# editors, network admins) who have not set up a second factor, and send them to set one up. On by
# default in production (DEBUG off), where a stolen manager password opens every booking of a venue;
# off by default with DEBUG so the demo's accounts open the admin at once (`make run`).
ESSAIM_STAFF_2FA_REQUIRED = env_bool("ESSAIM_STAFF_2FA_REQUIRED", not DEBUG)

# Sign-up, e-mail confirmation, password reset, language (accounts.adapter, accounts.views.verification).
# allauth writes e-mails in the recipient's language with links on ESSAIM_NODE_URL, and its
# confirmation link carries the booking the person came from (``next``).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# A confirmation link stays valid this many days (allauth's default: 3).
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = int(os.environ.get("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", "3"))
# Who limits what: allauth counts requests per address, per e-mail and per person and answers 429
# (our page, accounts.views.ratelimits); django-axes locks a name out after AXES_FAILURE_LIMIT
# failures from one address, across allauth's log-in, the admins' log-in and the token API.
# Each limit is "<count>/<period><s|m|h|d>/<ip|key|user>", several separated by commas; the
# ESSAIM_RATE_* variables override the defaults below.
ACCOUNT_RATE_LIMITS = {
    # ESSAIM_RATE_SIGNUP: sign-ups per address.
    "signup": os.environ.get("ESSAIM_RATE_SIGNUP", "10/h/ip"),
    # ESSAIM_RATE_LOGIN: log-in attempts per address (the form, whatever the answer).
    "login": os.environ.get("ESSAIM_RATE_LOGIN", "30/m/ip"),
    # ESSAIM_RATE_LOGIN_FAILED: failed log-ins per address and per account name.
    "login_failed": os.environ.get("ESSAIM_RATE_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    # ESSAIM_RATE_RESET_PASSWORD: reset requests per address and per e-mail address asked.
    "reset_password": os.environ.get("ESSAIM_RATE_RESET_PASSWORD", "20/m/ip,5/h/key"),
    # The page a reset link opens (a guessed key is worth nothing, but not in bulk).
    "reset_password_from_key": "20/m/ip",
    # ESSAIM_RATE_CONFIRM_EMAIL: confirmation e-mails per e-mail address (beyond it the earlier link still works).
    "confirm_email": os.environ.get("ESSAIM_RATE_CONFIRM_EMAIL", "1/3m/key"),
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "request_login_code": "20/m/ip,3/m/key",
    "change_phone": "1/m/user",
    "verify_phone": "1/30s/key,3/m/ip",
}

# Languages: French is the source language of the network's content; English is a translation.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
# The content languages as the admin names them in its own language (wagtail-localize's "Publish
# in …", "Français → anglais"); LANGUAGES keeps each language's own name, for the switcher.
WAGTAIL_CONTENT_LANGUAGES = [
    ("fr", pgettext_lazy("language name", "French")),
    ("en", pgettext_lazy("language name", "English")),
]
# A new translation starts as a draft: whoever may publish it publishes it from the translation
# editor; a hub submits it to the network's validation (``cms.translation``).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
# The dashboard would fetch releases.wagtail.org: refused by the CSP, and nodes may be offline.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Uploads: MEDIA_ROOT by default; an S3-compatible bucket with ESSAIM_S3_BUCKET and the other
# ESSAIM_S3_* variables (sites/storage_config.py, README "Configuration"), which several machines share.
S3_STORAGE = s3_storage(os.environ)
STORAGES = {
    "default": S3_STORAGE or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development whitenoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# EMAIL_URL: console:// (default: e-mails printed by the web process), smtp://user:pass@host:587
# (STARTTLS), smtps://…:465, or anymail://<provider> (brevo, mailgun, postmark, sendgrid, amazon_ses…)
# with the provider's options in ANYMAIL_* variables, e.g. ANYMAIL_BREVO_API_KEY (sites/email_config.py).
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
globals().update(email_settings(EMAIL_URL, os.environ))
# DEFAULT_FROM_EMAIL: sender of the node's e-mails.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Essaim <noreply@essaim.localhost>")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# STRIPE_SECRET_KEY: online payment through Stripe Checkout. Empty: priced bookings are paid at the venue.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
# STRIPE_WEBHOOK_SECRET: the endpoint's signing secret (whsec_…) that /payments/stripe/webhook/ checks.
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# STRIPE_WEBHOOK_TOLERANCE: seconds a signed webhook stays acceptable (replay window; Stripe's default 300).
STRIPE_WEBHOOK_TOLERANCE = int(os.environ.get("STRIPE_WEBHOOK_TOLERANCE", "300"))
# STRIPE_MAX_NETWORK_RETRIES: retries of a failed call to Stripe (safe: every write has an idempotency key).
STRIPE_MAX_NETWORK_RETRIES = int(os.environ.get("STRIPE_MAX_NETWORK_RETRIES", "2"))

# ESSAIM_GEOCODING: "on" to geocode addresses (BAN for France, Nominatim elsewhere), "off" to skip.
ESSAIM_GEOCODING = os.environ.get("ESSAIM_GEOCODING", "on")
# ESSAIM_GEOCODER_USER_AGENT: Nominatim's usage policy asks for an identifying user agent.
ESSAIM_GEOCODER_USER_AGENT = os.environ.get("ESSAIM_GEOCODER_USER_AGENT", f"essaim ({ESSAIM_NODE_URL})")
ESSAIM_GEOCODER_TIMEOUT = float(os.environ.get("ESSAIM_GEOCODER_TIMEOUT", "4"))
# ESSAIM_EVENT_HORIZON_DAYS: how far ahead a repeating event without an end is expanded and published.
ESSAIM_EVENT_HORIZON_DAYS = int(os.environ.get("ESSAIM_EVENT_HORIZON_DAYS", "365"))
# ESSAIM_FEED_MAX_EVENTS: the most events one public events feed writes (the soonest first); a feed
# cut there says so in its description and an ``Essaim-Feed-Truncated`` header (a request's budget).
ESSAIM_FEED_MAX_EVENTS = int(os.environ.get("ESSAIM_FEED_MAX_EVENTS", "10000"))
# ESSAIM_WAITLIST_OFFER_HOURS: how long a seat offered to the next person waiting stays held for them.
ESSAIM_WAITLIST_OFFER_HOURS = int(os.environ.get("ESSAIM_WAITLIST_OFFER_HOURS", "12"))
# ESSAIM_HOLD_MINUTES: how long a hold awaiting payment keeps its slot.
ESSAIM_HOLD_MINUTES = int(os.environ.get("ESSAIM_HOLD_MINUTES", "30"))
# ESSAIM_MAX_OPEN_HOLDS: open holds one person may have at once, so nobody can hoard slots.
ESSAIM_MAX_OPEN_HOLDS = int(os.environ.get("ESSAIM_MAX_OPEN_HOLDS", "3"))
# ESSAIM_APPROVED_PAY_HOURS: after a manager approves a paid request, how long the booker has to pay.
ESSAIM_APPROVED_PAY_HOURS = int(os.environ.get("ESSAIM_APPROVED_PAY_HOURS", "24"))
# ESSAIM_CHECK_IN_EARLY_MINUTES: how long before a booking's start a manager may check the person in.
ESSAIM_CHECK_IN_EARLY_MINUTES = int(os.environ.get("ESSAIM_CHECK_IN_EARLY_MINUTES", "60"))
# ESSAIM_LOCK_TIMEOUT_MS: how long a write waits for a row another request holds (PostgreSQL) before it
# answers 503 "busy" with Retry-After instead of queueing without end.
ESSAIM_LOCK_TIMEOUT_MS = int(os.environ.get("ESSAIM_LOCK_TIMEOUT_MS", "5000"))
# ESSAIM_PREPARED_STATEMENTS: the hot path's hand-written statements bind on the server, so that
# PostgreSQL prepares them once per connection (core.prepared). Off for a pooler in transaction
# mode that does not keep prepared statements (PgBouncer before 1.21).
ESSAIM_PREPARED_STATEMENTS = env_bool("ESSAIM_PREPARED_STATEMENTS", True)
if ESSAIM_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg's default, which Django turns off (None): a statement bound on the server is prepared
    # at its fifth use on a connection. Django's own cursors bind on the client and never prepare.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
# ESSAIM_MAP_TILES: tile URL template for maps; empty hides the base map (markers still show).
ESSAIM_MAP_TILES = os.environ.get("ESSAIM_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
ESSAIM_MAP_ATTRIBUTION = os.environ.get(
    "ESSAIM_MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Named tokens (``ess_…``, stored hashed, revocable, last use recorded) first; DRF's older
        # tokens still pass until revoked or their owner is deleted. Both then apply the person's
        # chosen language (the middleware cannot know a token's owner).
        "accounts.authentication.ApiTokenAuthentication",
        "core.api_language.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bounded in size and depth (a deeply nested body was a RecursionError, a 500); forms as DRF has them.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Our throttles (core.throttling) read the client address themselves; 0 makes any other one
    # count the TCP peer rather than a header the client wrote.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("ESSAIM_AUTH_RATE", "10/min"),
        # ESSAIM_BOOKING_RATE: booking and cancelling requests per person.
        "booking": os.environ.get("ESSAIM_BOOKING_RATE", "60/min"),
    },
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Essaim API",
    "DESCRIPTION": "Venues, resources, availability, bookings and events of an Essaim node.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Only the public API: Wagtail's admin API views are internal and not part of the contract.
    "PREPROCESSING_HOOKS": ["core.api.public_endpoints_only"],
    # Swagger UI from our own static files (drf-spectacular-sidecar), not from a public CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from the public validator service.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Ids in paths as the URLconf takes them (core.routes): positive, at most a signed 64-bit integer.
    "PATH_CONVERTER_OVERRIDES": {"int": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}},
}

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No avatars from gravatar.com: the admin would send a hash of every user's e-mail to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Security: secure cookies, HTTPS redirect and HSTS whenever DEBUG is off (production is served over
# HTTPS, nginx telling gunicorn so with X-Forwarded-Proto). Each can be turned off, e.g. to try a
# production build over plain HTTP on a private network: SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE,
# SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS (0: no HSTS), SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# Two nodes on one machine (README, "Two nodes on one machine") share the browser's cookies, which
# ignore the port: with DEBUG, a node served on another port than 8000 names its session and CSRF
# cookies after its port, so logging in on one node does not log you out of the other.
_NODE_PORT = urlsplit(ESSAIM_NODE_URL).port
if DEBUG and _NODE_PORT not in (None, 80, 443, 8000):
    SESSION_COOKIE_NAME = f"sessionid_{_NODE_PORT}"
    CSRF_COOKIE_NAME = f"csrftoken_{_NODE_PORT}"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer probes /health/ over plain HTTP, straight at gunicorn: no redirect to https.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail's page preview runs in a same-origin iframe, so DENY would break editing.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]


def tile_source(template: str) -> list[str]:
    """The CSP source that map tiles from ``template`` need: nothing for tiles on this origin,
    ``https://*.tile.example`` for a ``{s}`` subdomain, else the template's scheme and host."""
    parts = urlsplit(template)
    if not parts.netloc:
        return []
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]
    if "{" in host or parts.scheme not in {"http", "https"}:
        raise ImproperlyConfigured(
            f"ESSAIM_MAP_TILES: {template!r} must be an http(s) URL whose host has no placeholder but a leading {{s}}."
        )
    return [f"{parts.scheme}://{host}"]


# Content-Security-Policy (django-csp; core.csp adds the admins' inline styles): scripts only from this
# origin or with the response's nonce, no plug-ins, no framing by other sites, forms posted here (and
# to Stripe Checkout, where a paid booking's form is redirected, and to the OpenID Connect providers,
# where the log-in buttons' forms are), map tiles from ESSAIM_MAP_TILES.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # The hash: the 500 page's own <style> (cms/templates/500.html renders without a request, so no nonce).
        "style-src": [SELF, NONCE, "'sha256-EBLCGEoKrKb54Fu4bZYMwvsaY7AMNF83zuKDP1AqLYs='"],
        "img-src": [SELF, "data:", *tile_source(ESSAIM_MAP_TILES), *media_sources(S3_STORAGE)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, "https://checkout.stripe.com", *OIDC_ORIGINS],
        "upgrade-insecure-requests": not DEBUG,
        # ESSAIM_CSP_REPORT_URI: where browsers report violations (none by default).
        "report-uri": os.environ.get("ESSAIM_CSP_REPORT_URI") or None,
    },
}
# Paths of the admins (Wagtail, Django), whose HTML carries style attributes: inline styles allowed there.
ESSAIM_CSP_ADMIN_PREFIXES = ["/admin/", "/django-admin/"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_address": {"()": "core.client_address.ClientAddressFilter"}},
    "formatters": {"client": {"format": "%(levelname)s %(name)s [%(client_address)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_address"], "formatter": "client"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
