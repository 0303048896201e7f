"""Named API tokens: a person may hold several (a script, a phone app), see when each was last used,
and revoke one without touching the others. Only a digest of the secret is stored."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.validators import single_line


class ApiToken(models.Model):
    """One token for ``Authorization: Token …``. The secret is shown once, when made; the database
    keeps its first characters (to tell tokens apart on the account page) and its SHA-256 digest.

    A SHA-256 suffices where a password would need a slow hash: the secret is 160 random bits, so
    a stolen table cannot be searched."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100, validators=[single_line])
    prefix = models.CharField(max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]
        verbose_name = pgettext_lazy("account", "API token")
        verbose_name_plural = pgettext_lazy("account", "API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
