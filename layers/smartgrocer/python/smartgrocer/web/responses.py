from aws_lambda_powertools.event_handler import Response, content_types


def no_content() -> Response:
    return Response(status_code=204, body="", headers={"Cache-Control": "no-store"})


def etag_documented(description: str = "Success") -> dict:
    """The OpenAPI entry of a success answer that carries an ETag header."""
    return {"description": description, "headers": {"ETag": {
        "description": "This version of the resource (also its `etag` field); send it back as If-Match to edit it",
        "schema": {"type": "string"}}}}


def with_etag(resource: dict, status_code: int = 200) -> Response:
    """A JSON resource and its version in the ETag header (the same value as its `etag` field)."""
    return Response(status_code=status_code, content_type=content_types.APPLICATION_JSON, body=resource,
                    headers={"ETag": resource["etag"]})
