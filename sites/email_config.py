"""``EMAIL_URL`` read into Django's e-mail settings: the console, an SMTP server, or an e-mail
provider's API through django-anymail (``anymail://brevo`` with ``ANYMAIL_BREVO_API_KEY=…``)."""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def email_settings(url: str, environ) -> dict:
    """The settings ``url`` stands for. ``anymail://<provider>`` takes the provider's options from
    the environment variables named ``ANYMAIL_<OPTION>`` (as anymail's documentation names them)."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "anymail":
        provider = (parts.hostname or "").replace("-", "_")
        if not provider.isidentifier():
            raise ImproperlyConfigured(f"EMAIL_URL: name the provider, e.g. anymail://brevo (got {url!r}).")
        options = {
            name.removeprefix("ANYMAIL_"): value for name, value in environ.items() if name.startswith("ANYMAIL_")
        }
        return {"EMAIL_BACKEND": f"anymail.backends.{provider}.EmailBackend", "ANYMAIL": options}
    if parts.scheme not in {"smtp", "smtp+tls", "submission", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL: use console://, smtp://, smtps:// or anymail://<provider> (got {url!r})."
        )
    port = parts.port or (465 if parts.scheme == "smtps" else 587)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme in {"smtp+tls", "submission"} or (parts.scheme == "smtp" and port == 587),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }
