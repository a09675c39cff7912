"""The OpenAPI document matches the blueprint: every rule is documented with its methods,
every documented operation exists, and the reference page is served from the app."""

import re

CONVERTER = re.compile(r"<(?:[a-z]+:)?(\w+)>")


def blueprint_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = CONVERTER.sub(r"{\1}", rule.rule.removeprefix("/api/v1"))
            found |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_rule_of_the_api_is_documented_and_every_documented_operation_exists(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    documented = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert documented == blueprint_operations(app)


def test_every_path_parameter_is_declared(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (method, path)


def test_every_schema_reference_resolves(client):
    spec = client.get("/api/v1/openapi.json").json
    text = str(spec)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in spec["components"]["schemas"], name


def test_the_reference_page_lists_every_operation_without_any_external_address(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "POST /api/v1/scan" in html and "GET /api/v1/pieces/{piece_id}/history" in html
    assert "http://" not in html and "https://" not in html


def test_the_redoc_viewer_is_served_from_the_app_and_the_vendored_bundle_calls_no_cdn(client):
    page = client.get("/api/v1/docs/viewer").get_data(as_text=True)
    assert "/static/vendor/redoc/redoc.standalone.js" in page and "http" not in page
    bundle = client.get("/static/vendor/redoc/redoc.standalone.js")
    assert bundle.status_code == 200
    assert b"cdn.redoc.ly" not in bundle.data
    bundle.close()
