"""Lookups through a relation refuse no number: one beyond 64 bits simply matches nothing.

Django guards ``IntegerField`` lookups against numbers the database cannot hold (they match no
row), but not lookups through a foreign key or a one-to-one link. A venue is a Wagtail page whose
primary key is such a link (``page_ptr``), so ``VenuePage.objects.get(pk=99999999999999999999)`` —
what a form's venue choice does with a posted id — raised ``OverflowError`` on SQLite (a 500).
Registered on every relation by ``CoreConfig``.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn

#: What a row id can be (a signed 64-bit integer).
ID_RANGE = range(-(2**63), 2**63)


def _out_of_range(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value not in ID_RANGE


class BoundedRelatedExact(RelatedExact):
    def process_rhs(self, compiler, connection):
        if _out_of_range(self.rhs):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class BoundedRelatedIn(RelatedIn):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and isinstance(self.rhs, list | tuple | set):
            kept = [value for value in self.rhs if not _out_of_range(value)]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)


def register() -> None:
    ForeignObject.register_lookup(BoundedRelatedExact)
    ForeignObject.register_lookup(BoundedRelatedIn)
