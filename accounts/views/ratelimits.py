"""The 429 page allauth answers when a rate limit is reached, in the site's chrome and language."""

from django.template.response import TemplateResponse


def too_many_requests(request, exception=None):
    """``handler429`` (allauth looks it up on the root URLconf): what happened and when to retry."""
    response = TemplateResponse(request, "accounts/ratelimits/429.html", status=429)
    response["Retry-After"] = "60"
    return response.render()
