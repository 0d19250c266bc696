"""A list page's records read as plain rows, without the ORM's loading.

A list page (and a REST list) reads 25 records with their many-to-one relations, draws some of
their columns, and forgets them. Loading them through the ORM (an identity map, instance states,
the joined-eager loader, the unique filter) costs more than the SELECT itself: 0.15 ms plus 12 µs
a record on SQLite, twice the whole of the floor page's query on PostgreSQL. So when the code that
draws the page says which columns it reads (``reading``), and each of them is a column of the
record or of a many-to-one relation loaded with it (``eager_relations``), the page is read with
one Core SELECT of the same rows and each row becomes a *read-only record*: an instance of the
model class (its ``__str__``, properties and methods as usual), not attached to any session,
whose ``__dict__`` holds its columns and its loaded relations, one record per related row as the
identity map would give. The SELECT is the datamodel's: the same scope, soft-delete, order and
page, so nothing about what a user sees changes. It selects only the record's columns the page
reads (with its key and its relations' foreign keys), and of a related record what its name reads
(``__str_columns__``, where its class declares it; else all of its columns) and what the page
reads of it.

A read-only record has nothing else: reading a relation that was not loaded with it raises
``UnmappedInstanceError`` at once instead of loading it (the ORM would load it row by row). A
column that is not a plain attribute (a property, a method, a collection, a column of a relation
that is not loaded) makes the page load through the ORM, as every filtered list does.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Column, inspect
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.orm.interfaces import MANYTOONE

#: (datamodel, the columns the code drawing this request's page reads of its records) (``reading``)
_READ_COLUMNS: ContextVar = ContextVar("list_read_columns", default=None)


@contextmanager
def reading(datamodel, columns: Iterable[str]):
    """Within it, the page being drawn reads only ``columns`` (dotted for a related record's
    column) of the records ``datamodel`` answers; another datamodel's reads are not concerned."""
    token = _READ_COLUMNS.set((datamodel, tuple(columns)))
    try:
        yield
    finally:
        _READ_COLUMNS.reset(token)


def read_columns(datamodel) -> tuple | None:
    """The columns ``reading`` declared for ``datamodel``'s records, or None."""
    declared = _READ_COLUMNS.get()
    return declared[1] if declared is not None and declared[0] is datamodel else None


@dataclass(frozen=True)
class _Part:
    """One record of a row: its class, the keys of its columns, where they start in the row,
    and the records it links to (attribute key, that part's number, the row position of the
    foreign key)."""

    cls: type
    keys: tuple
    start: int
    links: tuple


def _plain_columns(mapper) -> list | None:
    """(attribute key, table column) of each column attribute, or None when one is not a plain
    column of the mapper's own table (an expression, inheritance)."""
    columns = []
    for prop in mapper.column_attrs:
        if len(prop.columns) != 1:
            return None
        column = prop.columns[0]
        if not isinstance(column, Column) or column.table is not mapper.local_table:
            return None
        columns.append((prop.key, column))
    return columns


def _simple_many_to_one(prop) -> tuple | None:
    """(local column, remote column) of a many-to-one relation on one foreign key to the related
    record's primary key, else None."""
    if not isinstance(prop, RelationshipProperty) or prop.direction is not MANYTOONE or prop.secondary is not None:
        return None
    pairs = list(prop.local_remote_pairs)
    if len(pairs) != 1:
        return None
    local, remote = pairs[0]
    primary = inspect(prop.mapper.class_).primary_key
    if len(primary) != 1 or remote is not primary[0]:
        return None
    return local, remote


class RowShape:
    """How a model's page, with its many-to-one ``relations`` (and the relations their names
    need, ``__str_relations__``), is selected as one row per record and made into records."""

    def __init__(self, model, relations: tuple, reading: Iterable[str] | None = None):
        self.model = model
        self.relations = relations
        self.columns: list = []
        self.parts: list[_Part] = []
        self._tables: list = []
        mapper = inspect(model)
        root_table = mapper.local_table
        self.from_clause = root_table
        pending_links: dict[int, list] = {0: []}
        self._add(mapper, root_table, _root_keys(mapper, relations, reading))
        #: what the rows can hold: the record's columns, its relations and their columns
        self.readable: set[str] = set(mapper.column_attrs.keys())
        for name in relations:
            related = inspect(mapper.relationships[name].mapper.class_)
            dotted = {column.partition(".")[2] for column in reading or () if column.startswith(f"{name}.")}
            keys = _named_keys(related, dotted) if reading is not None else None
            child = self._join(mapper, root_table, 0, name, pending_links, keys)
            self.readable.add(name)
            self.readable.update(f"{name}.{key}" for key in related.column_attrs.keys())
            for nested in getattr(related.class_, "__str_relations__", ()):
                nested_mapper = inspect(related.relationships[nested].mapper.class_)
                nested_keys = _named_keys(nested_mapper, set()) if reading is not None else None
                self._join(related, self._tables[child], child, nested, pending_links, nested_keys)
        self.parts = [
            _Part(part.cls, part.keys, part.start, tuple(pending_links.get(number, ())))
            for number, part in enumerate(self.parts)
        ]

    @classmethod
    def of(cls, model, relations: tuple, reading: Iterable[str] | None = None) -> "RowShape | None":
        """The shape, or None when the rows can't make the records (see ``_plain_columns`` and
        ``_simple_many_to_one``). With ``reading``, the record's own columns are only those the
        page reads, its key and the foreign keys of its relations (see ``_root_keys``)."""
        try:
            return cls(model, relations, reading)
        except _NotPlain:
            return None

    def _add(self, mapper, table, keys: set | None = None) -> int:
        columns = _plain_columns(mapper)
        primary = mapper.primary_key
        if columns is None or len(primary) != 1 or mapper.inherits is not None or mapper.polymorphic_on is not None:
            raise _NotPlain  # (an inheriting class's rows need its discriminator's filter too)
        if keys is not None:
            columns = [(key, column) for key, column in columns if key in keys]
        keys = tuple(key for key, _column in columns)
        start = len(self.columns)
        self.columns.extend(table.c[column.key] for _key, column in columns)
        self.parts.append(_Part(mapper.class_, keys, start, ()))
        self._tables.append(table)
        return len(self.parts) - 1

    def _join(self, mapper, table, owner: int, name: str, pending_links: dict, keys: set | None = None) -> int:
        prop = mapper.relationships.get(name)
        pair = _simple_many_to_one(prop) if prop is not None else None
        if pair is None:
            raise _NotPlain
        local, remote = pair
        related = prop.mapper
        alias = related.local_table.alias(f"{name}_{len(self.parts)}")
        self.from_clause = self.from_clause.outerjoin(alias, alias.c[remote.key] == table.c[local.key])
        number = self._add(related, alias, keys)
        local_at = self.parts[owner].start + [column.key for column in self._columns_of(owner)].index(local.key)
        pending_links.setdefault(owner, []).append((name, number, local_at))
        pending_links.setdefault(number, [])
        return number

    def _columns_of(self, number: int) -> list:
        part = self.parts[number]
        return self.columns[part.start : part.start + len(part.keys)]

    @property
    def selected(self) -> tuple:
        """The columns the rows hold, of the record and of each related record."""
        return tuple(part.keys for part in self.parts)

    def reads(self, columns: Iterable[str]) -> bool:
        """Whether every one of ``columns`` is in the rows, or a plain value of the model class
        (``Person.transfer_reason``, which a loaded record does not set either)."""
        return all(column in self.readable or _plain_class_value(self.model, column) for column in columns)

    def records(self, rows) -> list:
        """The root record of each row, related records shared as the identity map shares them."""
        made: dict = {}
        parts = self.parts
        return [_record(parts, 0, row, made) for row in rows]


def _plain_class_value(model, name: str) -> bool:
    """Whether ``name`` is a class attribute that every record reads as it is: a value, not a
    descriptor (a mapped attribute, a property) nor a method."""
    for cls in model.__mro__:
        if name in vars(cls):
            value = vars(cls)[name]
            return not callable(value) and not hasattr(type(value), "__get__")
    return False


def _root_keys(mapper, relations: tuple, reading: Iterable[str] | None) -> set | None:
    """The record's own columns a page reading ``reading`` needs: those it names, its key, and the
    foreign key of each relation loaded with it; None (all of them) without ``reading``. A page
    selects a fifth of a person's columns: each further column costs the database and the driver
    on every row, and a date column a parse. Reading one that was not selected raises
    (``UnmappedInstanceError``), as reading a relation that was not loaded does."""
    if reading is None:
        return None
    return {column.split(".")[0] for column in reading} | _key_and_links(mapper, relations)


def _named_keys(mapper, dotted: set) -> set | None:
    """A related record's columns a page needs: those its name reads (``__str_columns__``, when its
    class declares them), those the page reads of it (``department.code``), its key and the foreign
    keys of the relations its name reads (``__str_relations__``); None (all of them) when its class
    does not say what its name reads."""
    named = getattr(mapper.class_, "__str_columns__", None)
    if named is None:
        return None
    return set(named) | dotted | _key_and_links(mapper, getattr(mapper.class_, "__str_relations__", ()))


def _key_and_links(mapper, relations) -> set:
    """The attribute keys of a record's primary key and of the foreign key of each of ``relations``."""
    keys = {mapper.get_property_by_column(column).key for column in mapper.primary_key}
    for name in relations:
        pair = _simple_many_to_one(mapper.relationships.get(name))
        if pair is None:
            raise _NotPlain
        keys.add(mapper.get_property_by_column(pair[0]).key)
    return keys


class _NotPlain(Exception):
    """The model or a relation can't be read as plain rows."""


def _record(parts: list, number: int, row, made: dict):
    part = parts[number]
    record = part.cls.__new__(part.cls)
    values = record.__dict__
    values.update(zip(part.keys, row[part.start : part.start + len(part.keys)], strict=True))
    for key, linked, local_at in part.links:
        pk = row[local_at]
        if pk is None:
            values[key] = None
            continue
        found = made.get((linked, pk))
        if found is None:
            found = made[(linked, pk)] = _record(parts, linked, row, made)
        values[key] = found
    return record
