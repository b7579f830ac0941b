"""Assertions shared by the handler tests."""


def assert_error(response, status: int, code: str | None = None):
    """The one error shape: {"error": {"code", "message", "details"}} with the given status."""
    assert response["statusCode"] == status, response.get("body")
    body = response["json"]
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
