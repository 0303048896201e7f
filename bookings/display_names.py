"""What a booked resource is called, in the reader's language, when an app above knows better.

A resource's ``name`` is written once, in the node's language. An event's seats are a resource
named after the event, and the events app keeps each event's title in every language it is
published in; but ``bookings`` sits below ``events`` (pyproject's layers) and cannot ask it. So
the events app registers a *namer* here when it starts (``EventsConfig.ready``), and bookings'
pages call ``resource_names``: the same inversion as ``core.templatetags.page_sections``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from core.localized import LocalText

#: ``namer(resources, language) -> {resource pk: LocalText}`` for the resources it knows (one query).
Namer = Callable[[list, str], dict[int, LocalText]]

_NAMERS: list[Namer] = []


def register(namer: Namer) -> Namer:
    """Add a namer (once, however often the app starts)."""
    if namer not in _NAMERS:
        _NAMERS.append(namer)
    return namer


def resource_names(resources: Iterable, language: str) -> dict[int, LocalText]:
    """``{resource pk: its name}``: a namer's, else the resource's own (of unknown language: a
    desk's or a room's name is often a proper name, "Salle Olympe", "Raum Havel")."""
    resources = list({resource.pk: resource for resource in resources}.values())
    names = {resource.pk: LocalText(resource.name) for resource in resources}
    for namer in _NAMERS:
        names.update(namer(resources, language[:2]))
    return names
