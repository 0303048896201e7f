"""What the two-factor pages tell a person about the rule for staff (``accounts.mfa``)."""

from django import template

from accounts import mfa

register = template.Library()


@register.simple_tag
def staff_second_factor(user) -> dict:
    """``{"staff": …, "required": …}``: whether ``user`` opens an admin, and must have a second factor to."""
    staff = mfa.is_staff_member(user)
    return {"staff": staff, "required": staff and mfa.admin_requires_second_factor()}
