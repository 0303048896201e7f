"""Signals every app may send and any higher app may receive (core imports nobody).

``rows_changed`` covers the writes that bypass model signals: a queryset ``.update()`` sends no
``post_save``, so a service that updates rows that way says so here, in its transaction, and an
app above (the federation's change feed) re-reads those rows."""

from django.dispatch import Signal

#: Rows of ``sender`` (a model class) were changed by a queryset update in the current
#: transaction. Arguments: ``pks`` (a list of primary keys).
rows_changed = Signal()
