"""Outside calendars' busy times as the venue's managers see them next to their bookings.

Bookings never import ``calendars``: an outside calendar's busy time is a ``BusyBlock`` whose
``source`` starts with ``CALENDAR_SOURCE_PREFIX``, and that is all this module needs to know.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bookings.models import CALENDAR_SOURCE_PREFIX, BusyBlock


@dataclass(frozen=True)
class OutsideBusy:
    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def outside_busy_by_resource(
    *, resource_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[OutsideBusy]]:
    """Each resource's outside-calendar busy times that meet ``[start, end)``, in one query; the
    times of several calendars (or events) that touch or overlap are merged, earliest first."""
    rows = (
        BusyBlock.objects.filter(
            resource_id__in=list(resource_ids),
            source__startswith=CALENDAR_SOURCE_PREFIX,
            start__lt=end,
            end__gt=start,
        )
        .order_by("resource_id", "start", "end")
        .values_list("resource_id", "start", "end")
    )
    merged: dict[int, list[OutsideBusy]] = {}
    for resource_id, block_start, block_end in rows:
        spans = merged.setdefault(resource_id, [])
        if spans and block_start <= spans[-1].end:
            if block_end > spans[-1].end:
                spans[-1] = OutsideBusy(spans[-1].start, block_end)
        else:
            spans.append(OutsideBusy(block_start, block_end))
    return merged
