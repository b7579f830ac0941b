def test_health_and_signup_roundtrip(api, seller):
    assert api.get("/api/health").json() == {"status": "ok", "db": "ok"}
    product = api.create_product(seller, name="Smoke Pears")
    fetched = api.get(f"/api/products/{product['id']}")
    assert fetched.status_code == 200 and fetched.json()["name"] == "Smoke Pears"


def test_handler_tier_reaches_same_code(invoke, seller):
    response = invoke("GET", "/api/auth/me", token=seller.access_token)
    assert response["statusCode"] == 200
    assert response["json"]["id"] == seller.user_id and "password_hash" not in response["json"]
