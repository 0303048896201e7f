"""Model instances from a hand-written ``SELECT``, for the few reads made on every request.

Compiling an ORM query (``select_related``, annotations, ordering) costs a few milliseconds of
CPU, far more than PostgreSQL spends answering it: the named token read on every API call took
about 2.2 ms to build and 0.1 ms to run. Where a read is that hot and its shape fixed, we write its
``SELECT`` once and make the instances the way Django's own iterator does: the columns of each
model's concrete fields, each value through the database's and the field's converters, then
``Model.from_db``. The column lists come from the models, so a migration that adds a field needs
no change here; a test holds each such read to its ORM twin.
"""

from __future__ import annotations

from django.db import connections, models

from core.prepared import prepared_cursor


class ModelColumns:
    """A model's concrete columns under table aliases, and the instance made from their values.

    ``alias`` names the model's own table; a multi-table child (a Wagtail page type) names its
    parents' tables in ``parents`` (``{Page: "p"}``), which the statement joins."""

    def __init__(self, model: type[models.Model], alias: str, parents: dict[type[models.Model], str] | None = None):
        self.model = model
        self.alias = alias
        self.parents = dict(parents or {})
        self.fields = list(model._meta.concrete_fields)
        aliases = {model: alias, **self.parents}
        self._alias_of = [aliases[field.model._meta.concrete_model] for field in self.fields]
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self._pk_index = self.attnames.index(model._meta.pk.attname)
        self._converters: dict[str, list] = {}

    def sql(self, using: str = "default") -> str:
        """``"alias"."column", …`` in the fields' order (the order ``take`` reads them in)."""
        quote = connections[using].ops.quote_name
        return ", ".join(
            f"{quote(alias)}.{quote(field.column)}" for alias, field in zip(self._alias_of, self.fields, strict=True)
        )

    def table(self, using: str = "default") -> str:
        """``"table" "alias"``, for a ``FROM`` (a model without parents)."""
        quote = connections[using].ops.quote_name
        return f"{quote(self.model._meta.db_table)} {quote(self.alias)}"

    def column(self, name: str, using: str = "default") -> str:
        """``"alias"."column"`` of the field ``name`` (``"pk"``: the key) of the model's own table."""
        quote = connections[using].ops.quote_name
        field = self.model._meta.pk if name == "pk" else self.model._meta.get_field(name)
        return f"{quote(self.alias)}.{quote(field.column)}"

    def join(self, on: str, *, by: str = "pk", outer: bool = False, using: str = "default") -> str:
        """Join the model's table where its field ``by`` (its key) equals ``on`` (another table's
        ``"alias"."column"``), then its parents' tables on their links."""
        quote = connections[using].ops.quote_name
        kind = "LEFT OUTER JOIN" if outer else "INNER JOIN"
        own = quote(self.alias)
        joins = [f"{kind} {self.table(using)} ON {self.column(by, using)} = {on}"]
        for parent, alias in self.parents.items():
            link = self.model._meta.get_ancestor_link(parent).column
            joins.append(
                f"{kind} {quote(parent._meta.db_table)} {quote(alias)}"
                f" ON {quote(alias)}.{quote(parent._meta.pk.column)} = {own}.{quote(link)}"
            )
        return " ".join(joins)

    def take(self, row, start: int, using: str = "default") -> models.Model | None:
        """The instance in ``row[start:start + width]``; ``None`` when its key is NULL (an outer join
        that found nothing)."""
        values = list(row[start : start + self.width])
        if values[self._pk_index] is None:
            return None
        connection = connections[using]
        for index, expression, converters in self._converters_for(using):
            values[index] = _convert(values[index], expression, converters, connection)
        return self.model.from_db(using, self.attnames, values)

    def _converters_for(self, using: str) -> list:
        """As ``SQLCompiler.get_converters``: the backend's converters, then the field's."""
        if using not in self._converters:
            connection = connections[using]
            found = []
            for index, (alias, field) in enumerate(zip(self._alias_of, self.fields, strict=True)):
                expression = field.get_col(alias)
                converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
                if converters:
                    found.append((index, expression, converters))
            self._converters[using] = found
        return self._converters[using]


def _convert(value, expression, converters, connection):
    for converter in converters:
        value = converter(value, expression, connection)
    return value


def insert_columns(instance: models.Model, using: str = "default") -> list[tuple[str, object]]:
    """``(quoted column, value)`` for an ``INSERT`` of ``instance``, its automatic key left out, each
    value as Django's insert compiler prepares it: the field's ``pre_save`` (``auto_now``), then
    ``get_db_prep_save``. For a hand-written ``INSERT`` on a hot path (a booking and its first
    transition in one statement); plain columns only (a field with its own placeholder is refused)."""
    connection = connections[using]
    return [
        (column, field.get_db_prep_save(field.pre_save(instance, True), connection))
        for field, column in _insert_plan(type(instance), using)
    ]


def insert_sql(instance: models.Model, using: str = "default", *, on_conflict: str = "") -> tuple[str, list]:
    """``INSERT INTO table (columns) VALUES (…) [on_conflict] RETURNING key`` for ``instance``
    (``insert_columns``), and its parameters."""
    columns = insert_columns(instance, using)
    key = (type(instance), using, on_conflict)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        quote = connections[using].ops.quote_name
        meta = instance._meta
        sql = _INSERT_SQL[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(column for column, _value in columns)})"  # noqa: S608 — our model's table and columns; every value a parameter
            f" VALUES ({', '.join(['%s'] * len(columns))}){' ' + on_conflict if on_conflict else ''}"
            f" RETURNING {quote(meta.pk.column)}"
        )
    return sql, [value for _column, value in columns]


#: (model, database alias) → its fields to insert and their quoted columns; (model, alias,
#: on_conflict) → the statement: the same on every request, so worked out once per process
#: (cProfile put 7 % of a booking's time in rebuilding them for its three inserts).
_INSERT_PLANS: dict[tuple[type[models.Model], str], tuple[tuple[models.Field, str], ...]] = {}
_INSERT_SQL: dict[tuple[type[models.Model], str, str], str] = {}


def _insert_plan(model: type[models.Model], using: str) -> tuple[tuple[models.Field, str], ...]:
    plan = _INSERT_PLANS.get((model, using))
    if plan is None:
        quote = connections[using].ops.quote_name
        meta = model._meta
        fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field and not field.generated]
        for field in fields:
            if hasattr(field, "get_placeholder"):
                raise TypeError(f"{meta.label}.{field.name} needs its own placeholder: use the ORM")
        plan = _INSERT_PLANS[(model, using)] = tuple((field, quote(field.column)) for field in fields)
    return plan


def insert_row(instance: models.Model, using: str = "default") -> models.Model:
    """``INSERT`` ``instance`` (``insert_sql``) and take its new key, as ``save()`` would, but
    without building the ORM's statement or sending signals: for rows no receiver listens to,
    written on every request (an idempotency key's reservation)."""
    sql, params = insert_sql(instance, using)
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, params)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = using
    return instance


def update_row(instance: models.Model, fields: list[str], using: str = "default") -> None:
    """``UPDATE`` the ``fields`` of ``instance`` by its key, the values prepared as ``save()``
    prepares them, without the ORM's statement or signals (see ``insert_row``)."""
    connection = connections[using]
    key = (type(instance), tuple(fields), using)
    found = _UPDATES.get(key)
    if found is None:
        quote = connection.ops.quote_name
        meta = instance._meta
        chosen = tuple(meta.get_field(name) for name in fields)
        sets = ", ".join(f"{quote(field.column)} = %s" for field in chosen)
        sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 — as above
        found = _UPDATES[key] = (sql, chosen)
    sql, chosen = found
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in chosen]
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, [*params, instance.pk])


#: (model, fields, database alias) → the ``UPDATE`` and its fields, as ``_INSERT_SQL``.
_UPDATES: dict[tuple[type[models.Model], tuple[str, ...], str], tuple[str, tuple[models.Field, ...]]] = {}
