"""A piece of text and the language it is written in.

Pages say their language once (``<html lang>``); a fragment in another one (a French note on an
English page, an event title not yet translated) carries its own ``lang`` so that screen readers
pronounce it right: ``<p{{ fragment|lang_attr }}>{{ fragment }}</p>`` (``core.templatetags.essaim_lang``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocalText:
    text: str
    #: The language the text is written in; empty when unknown (a proper name): no mark then.
    language: str = ""

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)
