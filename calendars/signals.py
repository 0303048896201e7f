"""What an import tells the apps above (the federation publishes outside busy time to its peers)."""

from django.dispatch import Signal

#: Sent inside the import's transaction when it changed the calendar's busy blocks.
#: Arguments: ``calendar`` (the ``ExternalCalendar``), ``written`` (the ``BusyBlock`` rows created
#: or updated, saved) and ``deleted`` (``(resource_id, uid)`` of the blocks removed).
blocks_changed = Signal()
