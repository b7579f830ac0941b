"""Assertions shared by the integration tests (responses from `requests`)."""

from __future__ import annotations


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape, `{"error": {"code", "message", "details"}}`, with the given status."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
