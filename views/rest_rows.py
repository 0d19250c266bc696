"""The records of a REST list written without marshmallow's per-value calls.

Flask-AppBuilder answers a REST list with ``list_model_schema.dump(records, many=True)``. For
each value marshmallow calls the field's ``serialize``, its ``get_value``, the schema's
``get_attribute``, ``utils.get_value`` and the field's ``_serialize``: 25 persons of 17 fields
make 425 values and about 3,000 calls, a sixth of the request. ``RowWriter`` reads each value with
one ``getattr`` and passes text and whole numbers through as they are (what ``String`` and
``Integer`` give them back as); every other value, and every other kind of field, goes through
the field's own ``_serialize``, so dates, decimals and booleans come out as marshmallow writes
them. A schema with dump hooks, its own ``get_attribute``, dotted attributes or fields that do
not read an attribute is left to marshmallow. ``tests/test_query_counts.py`` compares both for
every API.
"""

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP


def _passed_through(kind: type):
    """A ``String`` or ``Integer`` field gives back a ``str`` or ``int`` value, and None, as they are."""

    def make(field: fields.Field, name: str):
        serialize = field._serialize
        return lambda value, obj: value if type(value) is kind or value is None else serialize(value, name, obj)

    return make


def _nested(field: fields.Nested, name: str):
    writer = RowWriter(field.schema)
    many = field.schema.many or field.many
    if many:
        return lambda value, obj: None if value is None else [writer.row(item) for item in value]
    return lambda value, obj: None if value is None else writer.row(value)


def _own(field: fields.Field, name: str):
    serialize = field._serialize
    return lambda value, obj: serialize(value, name, obj)


class RowWriter:
    """Writes records as ``schema.dump`` does, for a schema that ``supports`` says it can."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.dict_class = schema.dict_class
        self.columns = [self._column(name, field) for name, field in schema.dump_fields.items()]

    @staticmethod
    def supports(schema: Schema) -> bool:
        if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
            return False
        if type(schema).get_attribute is not Schema.get_attribute:
            return False
        for name, field in schema.dump_fields.items():
            if not field._CHECK_ATTRIBUTE or type(field).serialize is not fields.Field.serialize:
                return False
            if "." in (field.attribute or name):
                return False
            if isinstance(field, fields.Nested) and not (
                type(field) is fields.Nested and RowWriter.supports(field.schema)
            ):
                return False
        return True

    @staticmethod
    def _column(name: str, field: fields.Field) -> tuple:
        key = field.data_key if field.data_key is not None else name
        attribute = field.attribute if field.attribute is not None else name
        kind = type(field)
        if kind is fields.String:
            convert = _passed_through(str)(field, name)
        elif kind is fields.Integer and not field.as_string:
            convert = _passed_through(int)(field, name)
        elif kind is fields.Nested:
            convert = _nested(field, name)
        else:
            convert = _own(field, name)
        return key, attribute, field, convert

    def row(self, obj) -> dict:
        """One record as ``schema.dump(obj)`` writes it (a mapping is left to marshmallow)."""
        if hasattr(type(obj), "__getitem__"):
            return Schema._serialize(self.schema, obj)
        row = self.dict_class()
        for key, attribute, field, convert in self.columns:
            value = getattr(obj, attribute, missing)
            if value is missing:
                default = field.dump_default
                value = default() if callable(default) else default
                if value is missing:
                    continue
            row[key] = convert(value, obj)
        return row

    def dump(self, obj, *, many: bool | None = None):
        """``Schema.dump``: a list of records row by row, anything else by marshmallow."""
        many = self.schema.many if many is None else bool(many)
        if not many or obj is None:
            return Schema.dump(self.schema, obj, many=many)
        return [self.row(item) for item in obj]

    @classmethod
    def install(cls, schema: Schema) -> bool:
        """Make ``schema.dump`` write through a ``RowWriter`` when it can; whether it does."""
        if not cls.supports(schema):
            return False
        schema.dump = cls(schema).dump
        return True
