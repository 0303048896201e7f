"""What Essaim keeps about a person beside Django's user: their language and their project."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import single_line


class Profile(models.Model):
    """One per user, made on first need (``services.profile_of``): the language of their e-mails,
    their personal feed and the API's messages."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, default="fr")
    #: Consent to give the person's name and e-mail to the venue's node when they book a venue of
    #: another Essaim node; without it that node sees a pseudonym only (GDPR: least data).
    share_identity_with_peers = models.BooleanField(
        _("share my name and e-mail with the partner node of a venue I book"), default=False
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


class ProjectStage(models.TextChoices):
    IDEA = "idea", _("Idea")
    STARTING = "starting", _("Starting up")
    GROWING = "growing", _("Growing")
    ESTABLISHED = "established", _("Established")


class Project(models.Model):
    """The organisation or project a person works on (optional at sign-up); impact projects hang on it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(_("organisation or project"), max_length=200, validators=[single_line])
    stage = models.CharField(_("stage"), max_length=16, choices=ProjectStage.choices, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True, validators=[single_line])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return self.name
