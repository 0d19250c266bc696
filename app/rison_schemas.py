"""The REST API's query-argument check, each schema's validator built once per process.

Flask-AppBuilder's ``@rison(schema)`` checks the ``q`` argument of every REST request with
``jsonschema.validate``, which first validates the schema itself against the JSON Schema
metaschema and builds a new validator: 40% of a REST list's time. The schemas are fixed
(Flask-AppBuilder's own, set when the API classes are defined), so this does the same check with
a validator built, and its schema checked, the first time each schema is used. The outcome and the
error raised are the same as ``jsonschema.validate``'s.
"""

import flask_appbuilder.api as fab_api
import jsonschema


class KeptValidators:
    """What Flask-AppBuilder's API module uses of ``jsonschema``, with validators kept per schema."""

    ValidationError = jsonschema.ValidationError

    def __init__(self):
        self._validators: dict[int, tuple] = {}  # id(schema) → (schema, its validator)

    def validate(self, instance, schema) -> None:
        """``jsonschema.validate(instance=…, schema=…)``, without checking the schema again."""
        kept = self._validators.get(id(schema))
        if kept is None or kept[0] is not schema:
            validator_class = jsonschema.validators.validator_for(schema)
            validator_class.check_schema(schema)
            kept = self._validators[id(schema)] = (schema, validator_class(schema))
        error = jsonschema.exceptions.best_match(kept[1].iter_errors(instance))
        if error is not None:
            raise error


def install() -> None:
    fab_api.jsonschema = KeptValidators()
