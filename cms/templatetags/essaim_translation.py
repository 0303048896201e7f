"""Template tags for wagtail-localize's translation editor (``cms.translation``)."""

import json

from django import template

from cms.translation import submits_for_validation

register = template.Library()


@register.simple_tag
def translation_editor_props(props: str, instance, user) -> str:
    """The editor's props; for someone who submits the translation for validation, its main
    button (relabelled by ``cms/js/translation-editor.js``) posts what the editor posts to publish."""
    if instance is None or not hasattr(instance, "permissions_for_user") or not submits_for_validation(user, instance):
        return props
    data = json.loads(props)
    data["perms"]["canPublish"] = True
    return json.dumps(data)


@register.simple_tag
def translation_submits_for_validation(instance, user) -> bool:
    return hasattr(instance, "permissions_for_user") and submits_for_validation(user, instance)
