"""Validators for text fields: single-line fields refuse every control character, multi-line ones
every control character but tab and line breaks (the sets are ``core.text``'s).

They sit on the model fields (so ``full_clean``, Django and Wagtail admin forms, and DRF model
serializers all apply them) and on the API serializers' own text fields. Page titles, which
belong to Wagtail's ``Page``, are checked by ``SingleLineTitle``.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from core import text


def _name(character: str) -> str:
    """``U+000D (CARRIAGE RETURN)``: how the message names the refused character."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "") or {"\r": "CARRIAGE RETURN", "\n": "LINE FEED", "\t": "TAB"}.get(
        character, "CONTROL CHARACTER"
    )
    return f"{code} ({name})"


@deconstructible
class SingleLine:
    """Text on one line: no line break, tab or other control character."""

    message = _("This field must be a single line of text: remove the line break or control character %(character)s.")
    code = "control_character"

    def __call__(self, value) -> None:
        if isinstance(value, str) and (bad := text.first_bad(value)) is not None:
            raise ValidationError(self.message, code=self.code, params={"character": _name(bad)})

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleLine)


@deconstructible
class MultiLine:
    """Text that may hold line breaks and tabs, but no other control character."""

    message = _("This text may not contain the control character %(character)s: remove it.")
    code = "control_character"

    def __call__(self, value) -> None:
        if isinstance(value, str) and (bad := text.first_bad(value, lines=True)) is not None:
            raise ValidationError(self.message, code=self.code, params={"character": _name(bad)})

    def __eq__(self, other) -> bool:
        return isinstance(other, MultiLine)


single_line = SingleLine()
multi_line = MultiLine()


class SingleLineTitle:
    """Mixin for Wagtail pages: ``title`` and ``seo_title`` (Wagtail's fields, whose validators
    are not ours to change) are single lines. Checked in ``clean_fields`` so that a form which
    leaves a field out (``exclude``) is not asked about it, and the error lands on the field."""

    single_line_fields = ("title", "seo_title")

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in self.single_line_fields:
            if (exclude and name in exclude) or name in errors:
                continue
            try:
                single_line(getattr(self, name, ""))
            except ValidationError as error:
                errors[name] = error.error_list
        if errors:
            raise ValidationError(errors)
