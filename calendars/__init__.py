"""Outside calendars: a venue's Google, Outlook or Nextcloud calendar blocks its resources.

A manager pastes a calendar's secret iCal address for a resource or a whole venue; Essaim fetches
it through the outbound guard (``core.outbound``), expands its events over the booking horizon
(``parsing``) and writes their busy times as ``bookings.BusyBlock`` rows under the source
``calendar:<id>``, which availability, search, booking and the federation already read.
"""
