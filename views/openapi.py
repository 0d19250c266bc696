"""The OpenAPI spec of the REST APIs (/api/v1/_openapi), made to say what the APIs really answer.

Flask-AppBuilder generates the spec from the marshmallow schemas and its own docstrings; where that
differs from the JSON the APIs send, this module corrects the generated document:
- record ids are integers (Flask-AppBuilder documents them as strings);
- times are local ISO 8601 without a zone ("2026-12-07T09:00:00"), not RFC 3339 date-times;
- decimals (amounts, areas) come back as strings ("12000.00") and are accepted as numbers too;
- a related record is ``null`` when not set;
- ``_info`` lists its add/edit columns as an array; a 400/422 message is a text or {field: [texts]};
- the menu lists "-" separators beside its entries; refreshing with the wrong token answers 422.

Only signed-in holders of ``can_get`` on ``OpenApi`` (administrators) may read the spec.
"""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, request
from flask_appbuilder.api.manager import OpenApi as FabOpenApi
from flask_appbuilder.api.manager import resolver

#: a message of an error answer: one text, or {field: [texts]}
MESSAGE = {"oneOf": [{"type": "string"}, {"type": "object"}]}


class PlatformAPISpec(APISpec):
    """Flask-AppBuilder's APISpec, corrected as the module docstring says when it is rendered."""

    def to_dict(self) -> dict:
        return corrected(super().to_dict())


class OpenApi(FabOpenApi):
    """Flask-AppBuilder's spec endpoint (same name, route and permission), serving the corrected spec."""

    @staticmethod
    def _create_api_spec(version):
        """Flask-AppBuilder's spec, built as ``PlatformAPISpec``."""
        servers = current_app.config.get("FAB_OPENAPI_SERVERS", [{"url": request.host_url}])
        return PlatformAPISpec(
            title=current_app.appbuilder.app_name,
            version=version,
            openapi_version="3.0.2",
            info={"description": current_app.appbuilder.app_name},
            plugins=[MarshmallowPlugin(schema_name_resolver=resolver)],
            servers=servers,
        )


#: the answer to a save that lost the race, or a delete the record's links refuse
CONFLICT = {
    "description": "Conflict: the record changed since it was read, or can't be deleted now",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "message": {"type": "string"},
                    "current_version": {"type": "integer"},
                    "changes": {"type": "array", "items": {"type": "object"}},
                },
            }
        }
    },
}


def corrected(spec: dict) -> dict:
    """The generated spec, corrected as the module docstring says."""
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for schema in schemas.values():
        _correct_properties(schema)
    for name in [name for name in schemas if name.endswith(".put")]:
        body = {**schemas[name], "properties": {**schemas[name].get("properties", {})}}
        body["properties"]["version"] = {"type": "integer", "description": "The version the record was read at"}
        body["required"] = sorted({*body.get("required", []), "version"})
        schemas[name + "_body"] = body
    components.setdefault("responses", {})["409"] = CONFLICT
    for name in ("400", "422"):
        response = spec.get("components", {}).get("responses", {}).get(name)
        if response:
            response["content"]["application/json"]["schema"]["properties"]["message"] = dict(MESSAGE)
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            _correct_operation(path, method, operation)
    return spec


def _correct_properties(schema: dict) -> None:
    """Times without a zone, decimals as text or number, related records that may be null."""
    for name, prop in list(schema.get("properties", {}).items()):
        if "$ref" in prop:
            schema["properties"][name] = {"allOf": [{"$ref": prop["$ref"]}], "nullable": True}
        elif prop.get("format") == "date-time":
            prop.pop("format")
            prop["description"] = "Local time, ISO 8601 without a zone: 2026-12-07T09:00:00"
        elif prop.get("type") == "number":
            nullable = prop.pop("nullable", False)
            prop.pop("type")
            prop["oneOf"] = [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]
            if nullable:
                prop["nullable"] = True
        elif prop.get("type") == "array" and "$ref" in prop.get("items", {}):
            continue
        else:
            _correct_properties(prop)
            if isinstance(prop.get("items"), dict):
                _correct_properties(prop["items"])


def _json_schema(response: dict) -> dict | None:
    return response.get("content", {}).get("application/json", {}).get("schema")


def _correct_operation(path: str, method: str, operation: dict) -> None:
    responses = operation.get("responses", {})
    for response in responses.values():
        schema = _json_schema(response) or {}
        properties = schema.get("properties", {})
        if "ids" in properties:
            properties["ids"]["items"] = {"type": "integer"}
        if "id" in properties and properties["id"].get("type") == "string":
            properties["id"] = {"type": "integer"}
        for columns in ("add_columns", "edit_columns"):
            if columns in properties:
                properties[columns] = {"type": "array", "items": {"type": "object"}}
        if path.endswith("/menu/") and "result" in properties:
            properties["result"]["items"]["properties"]["childs"]["items"] = {}
        if "message" in properties:
            properties["message"] = dict(MESSAGE)
        _correct_properties(schema)
    if path.endswith("/security/refresh") and method == "post":
        responses.setdefault("422", {"$ref": "#/components/responses/422"})
