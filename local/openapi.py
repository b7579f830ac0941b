"""Generate the merged OpenAPI document from every function's resolver (`make openapi`).

Each function declares its own route on its own resolver; Powertools' OpenAPIMerge loads them
all (in route-table order) and merges them into one document, committed as `openapi.json`.
"""

from __future__ import annotations

import json
import sys

from local.apigw import FUNCTIONS_DIR
from smartgrocer.routes import ROUTES


def build_openapi() -> dict:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    from smartgrocer.models.common import ErrorResponse

    merge = OpenAPIMerge(
        title="SmartGrocer Cloud API",
        version="1.0.0",
        description="Grocery marketplace API. Money is a decimal string with two places.",
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        on_conflict="error",
    )
    for route in ROUTES:
        merge.add_file(FUNCTIONS_DIR / route.name / "handler.py")
    document = json.loads(merge.get_openapi_json_schema())
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs", {}))
    components["ErrorResponse"] = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    document["servers"] = [{"url": "/"}]
    _prune_unreferenced(document)
    return document


def _prune_unreferenced(document: dict) -> None:
    """Drop schemas nothing refers to. Powertools adds its own validation-error shapes
    (`HTTPValidationError`, `ValidationError`, whose `msg` is required but never described); every
    error here answers with `ErrorResponse`, so those would only mislead a generated client."""
    schemas = document["components"]["schemas"]
    reachable: set[str] = set()
    pending = [document["paths"]]
    while pending:
        text = json.dumps(pending.pop())
        for name in schemas:
            if name not in reachable and f'"#/components/schemas/{name}"' in text:
                reachable.add(name)
                pending.append(schemas[name])
    for name in set(schemas) - reachable:
        del schemas[name]


def render() -> str:
    return json.dumps(build_openapi(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
