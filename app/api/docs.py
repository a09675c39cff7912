"""The OpenAPI document and its readable reference page, both served by the app (no CDN)."""

from flask import jsonify, render_template

from app.api.openapi import document
from app.api.routes import bp

METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(document())


def schema_name(schema: dict | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(schema_name(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"[{schema_name(schema.get('items'))}]"
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    kind = schema.get("type", "")
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


@bp.get("/docs")
def reference():
    spec = document()
    operations = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                body = operation.get("requestBody", {}).get("content", {})
                operations.append(
                    {
                        "method": method.upper(),
                        "path": "/api/v1" + path,
                        "op": operation,
                        "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                        "body": {media: schema_name(content.get("schema")) for media, content in body.items()},
                        "responses": [
                            (
                                status,
                                response["description"],
                                schema_name(next(iter(response.get("content", {}).values()), {}).get("schema")),
                            )
                            for status, response in sorted(operation["responses"].items())
                        ],
                    }
                )
    schemas = [
        (
            name,
            [
                (prop, schema_name(value), prop in schema.get("required", []), value.get("description", ""))
                for prop, value in schema.get("properties", {}).items()
            ],
        )
        for name, schema in spec["components"]["schemas"].items()
    ]
    return render_template(
        "api/reference.html", spec=spec, operations=operations, schemas=schemas, schema_name=schema_name
    )


@bp.get("/docs/viewer")
def viewer():
    """The same document in Redoc (static/vendor/redoc), for people who like to click around."""
    return render_template("api/viewer.html")
