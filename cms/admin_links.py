"""Wagtail's external-link chooser, minus a crash: its URL field reads a missing value as ``None``
and calls ``.startswith`` on it, so a POST without the field answered 500 instead of the form
with "This field is required". ``sites.urls`` routes the chooser's path here, wrapped as Wagtail
wraps its own admin views."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import ExternalLinkChooserForm, URLOrAbsolutePathField
from wagtail.admin.views import chooser


class PresentURLOrAbsolutePathField(URLOrAbsolutePathField):
    def to_python(self, value):
        return super().to_python("" if value is None else value)


class ExternalLinkForm(ExternalLinkChooserForm):
    url = PresentURLOrAbsolutePathField(required=True, label=_("URL"))


class ExternalLinkView(chooser.ExternalLinkView):
    form_class = ExternalLinkForm
