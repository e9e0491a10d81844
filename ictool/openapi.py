"""The OpenAPI 3 description of `/api`, served at `/api/openapi.json`.

Add a route here when you add one to the API: a test fails for any `/api` route
that is missing.
"""

ERROR = {"$ref": "#/components/schemas/Error"}
ANY_OBJECT = {"type": "object"}
ANY_LIST = {"type": "array", "items": {"type": "object"}}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def op(
    summary: str,
    ok: dict | None = None,
    status: str = "200",
    body: dict | None = None,
    errors: tuple[str, ...] = ("401", "403"),
) -> dict:
    """One operation: its summary, its success response and the errors it can give."""
    responses = {status: {"description": "OK", **_json(ok or ANY_OBJECT)}}
    for code in errors:
        responses[code] = {"description": "Error", **_json(ERROR)}
    spec = {"summary": summary, "responses": responses}
    if body is not None:
        spec["requestBody"] = {"required": True, **_json(body)}
    return spec


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


SCENE = {"parameters": [_id("scene_id")]}
PERSON = {"parameters": [_id("person_id")]}

PATHS: dict[str, dict] = {
    "/api/openapi.json": {"get": op("This document", errors=())},
    "/api/me": {"get": op("The signed-in person")},
    "/api/me/language": {
        "post": op(
            "Remember the signed-in person's language",
            body={
                "type": "object",
                "required": ["language"],
                "properties": {
                    "language": {"type": "string", "enum": ["en", "fr", "de", "es", "sv"]}
                },
            },
            errors=("400", "401", "403", "422"),
        )
    },
    "/api/home": {
        "get": op("The data of the signed-in person's home screen", errors=("400", "401"))
    },
    "/api/production": {"get": op("The production")},
    "/api/days": {"get": op("Shoot days", ANY_LIST)},
    "/api/scenes": {"get": op("Scenes this person may see", ANY_LIST)},
    "/api/scenes/{scene_id}": {
        **SCENE,
        "get": op("One scene, with what this person may see of it", errors=("401", "403", "404")),
    },
    "/api/scenes/{scene_id}/blocking": {
        **SCENE,
        "get": op("Every blocking version, newest first", ANY_LIST, errors=("401", "403", "404")),
        "post": op(
            "Save the next blocking version (IC, director)",
            status="201",
            body={
                "type": "object",
                "required": ["beats"],
                "properties": {
                    "beats": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "maxItems": 60,
                    }
                },
            },
            errors=("400", "401", "403", "404", "422"),
        ),
    },
    "/api/people": {"get": op("People on the production", ANY_LIST)},
    "/api/people/{person_id}/link": {
        **PERSON,
        "post": op(
            "A fresh join link and QR code (IC)", status="201", errors=("401", "403", "404")
        ),
    },
    "/api/people/{person_id}/revoke": {
        **PERSON,
        "post": op("Revoke a person's join links (IC)", errors=("401", "403", "404")),
    },
}


def document() -> dict:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "ictool set server", "version": "1"},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                },
            },
        },
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": PATHS,
    }
