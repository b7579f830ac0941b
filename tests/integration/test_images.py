"""Product photo uploads: the API hands out a presigned S3 POST pinned to one key, one content type and a
size range; the browser posts the file straight to S3 (moto here).

moto 5.2.5 does not evaluate presigned-POST policy conditions (content-length-range, Content-Type): an
oversized file or another content type is stored anyway (`test_moto_does_not_enforce_post_policy`
documents that, so it starts failing the day moto enforces them). What is enforceable here is asserted
instead: the API refuses bad requests, and the signed policy carries exactly the conditions real S3 enforces.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.integration.helpers import assert_error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 120
PNG_SIZE = len(PNG)


def _start(api, account, product_id, content_type="image/png", size=PNG_SIZE):
    return api.post(f"/api/products/{product_id}/images", account, json={"content_type": content_type, "size": size})


def _post_to_s3(upload: dict, data: bytes, content_type: str | None = None) -> requests.Response:
    fields = dict(upload["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    return requests.post(
        upload["url"],
        data=fields,
        files={"file": ("photo", data, fields.get("Content-Type", "application/octet-stream"))},
        timeout=30,
    )


def _s3(runtime):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=runtime.env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture
def product(api, seller):
    return api.create_product(seller, name="Photogenic Plums")


def test_wrong_content_type_is_422(api, seller, product):
    for content_type in ("image/gif", "text/html", "application/x-sh", "image/svg+xml", ""):
        error = assert_error(_start(api, seller, product["id"], content_type=content_type), 422, "validation_error")
        assert error["details"][0]["loc"][-1] == "content_type"


def test_size_over_limit_is_422(api, seller, product):
    from smartgrocer import settings

    error = assert_error(_start(api, seller, product["id"], size=settings.IMAGE_MAX_BYTES + 1), 422)
    assert error["details"][0]["loc"][-1] == "size"
    assert _start(api, seller, product["id"], size=settings.IMAGE_MAX_BYTES).status_code == 200
    assert_error(_start(api, seller, product["id"], size=0), 422)
    assert_error(_start(api, seller, product["id"], size=-5), 422)


def test_only_the_owner_may_upload(api, seller, other_seller, shopper, admin, product):
    assert_error(_start(api, other_seller, product["id"]), 404, "not_found")
    assert_error(_start(api, shopper, product["id"]), 403)
    assert_error(_start(api, admin, product["id"]), 403)  # route is seller-only
    assert_error(api.post(f"/api/products/{product['id']}/images", json={"content_type": "image/png", "size": 1}), 401)
    assert_error(_start(api, seller, "0" * 24), 404)


def test_deleted_product_takes_no_photos(api, seller, product):
    api.delete(f"/api/products/{product['id']}", seller)
    assert_error(_start(api, seller, product["id"]), 404)


def test_presigned_post_uploads_to_s3(api, runtime, seller, product):
    response = _start(api, seller, product["id"], content_type="image/png", size=len(PNG))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"upload", "image_url", "max_bytes"} and body["max_bytes"] == len(PNG)
    fields = body["upload"]["fields"]
    key = fields["key"]
    assert key.startswith(f"products/{product['id']}/") and key.endswith(".png")
    assert body["image_url"] == f"{runtime.env['IMAGES_BASE_URL']}/{key}"

    uploaded = _post_to_s3(body["upload"], PNG)
    assert uploaded.status_code in (200, 201, 204), uploaded.text
    stored = _s3(runtime).get_object(Bucket=runtime.env["IMAGES_BUCKET"], Key=key)
    assert stored["Body"].read() == PNG and stored["ContentType"] == "image/png"

    # the URL we handed out is accepted on the product, and shows up on reads
    updated = api.put(
        f"/api/products/{product['id']}",
        seller,
        json={"images": [body["image_url"]]},
        headers={"If-Match": product["etag"]},
    )
    assert updated.status_code == 200 and api.get(f"/api/products/{product['id']}").json()["images"] == [
        body["image_url"]
    ]


def test_each_upload_gets_a_fresh_key(api, seller, product):
    keys = {_start(api, seller, product["id"]).json()["upload"]["fields"]["key"] for _ in range(3)}
    assert len(keys) == 3


@pytest.mark.parametrize("content_type, ext", [("image/jpeg", "jpg"), ("image/webp", "webp")])
def test_signed_policy_pins_type_size_key_and_expiry(api, runtime, seller, product, content_type, ext):
    """What real S3 enforces is what we sign: checked on the decoded policy document."""
    body = _start(api, seller, product["id"], content_type=content_type, size=12345).json()
    fields = body["upload"]["fields"]
    assert fields["Content-Type"] == content_type and fields["key"].endswith(f".{ext}")
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 12345] in conditions
    assert {"Content-Type": content_type} in conditions or ["eq", "$Content-Type", content_type] in conditions
    assert {"key": fields["key"]} in conditions
    assert {"bucket": runtime.env["IMAGES_BUCKET"]} in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(0) < expires - datetime.now(UTC) <= timedelta(minutes=10)
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in conditions)  # no wildcard keys


def test_moto_does_not_enforce_post_policy(api, runtime, seller, product):
    """Documents a gap of the local stack, not of the product: moto stores what real S3 would refuse
    (larger than content-length-range, other Content-Type). If this starts failing, moto enforces the policy:
    turn these into assertions that S3 rejects the upload."""
    upload = _start(api, seller, product["id"], content_type="image/png", size=len(PNG)).json()["upload"]
    too_big = _post_to_s3(upload, PNG + b"\x00" * 4096)
    other_type = _post_to_s3(upload, PNG, content_type="text/html")
    assert too_big.status_code in (200, 201, 204) and other_type.status_code in (200, 201, 204), (
        "moto now enforces presigned POST policies: assert 403 for both uploads instead"
    )


def test_uploaded_photo_is_served_at_image_url(api, seller, product):
    body = _start(api, seller, product["id"]).json()
    assert _post_to_s3(body["upload"], PNG).status_code in (200, 201, 204)
    served = requests.get(body["image_url"], timeout=10)
    assert served.status_code == 200 and served.content == PNG


# -- the check before a photo is attached: real image bytes, as declared, within the limit -----------

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 100
WEBP = b"RIFF\x64\x00\x00\x00WEBPVP8 " + b"\x00" * 100
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 100


def _upload(api, seller, product, content_type: str, data: bytes) -> dict:
    """Presigned POST for `content_type`, then the bytes straight to S3 (moto stores whatever is sent)."""
    return api.upload_photo(seller, product["id"], data, content_type)


def _attach(api, seller, product, image_url: str):
    current = api.get(f"/api/seller/products/{product['id']}", seller).json()
    return api.put(
        f"/api/products/{product['id']}",
        seller,
        json={"images": [*current["images"], image_url]},
        headers={"If-Match": current["etag"]},
    )


def _stored(runtime, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        _s3(runtime).head_object(Bucket=runtime.env["IMAGES_BUCKET"], Key=key)
    except ClientError:
        return False
    return True


@pytest.mark.parametrize(("content_type", "data"), [("image/png", PNG), ("image/jpeg", JPEG), ("image/webp", WEBP)])
def test_real_photos_are_attached(api, runtime, seller, product, content_type, data):
    grant = _upload(api, seller, product, content_type, data)
    attached = _attach(api, seller, product, grant["image_url"])
    assert attached.status_code == 200, attached.text
    assert attached.json()["images"] == [grant["image_url"]]
    assert _stored(runtime, grant["upload"]["fields"]["key"])


@pytest.mark.parametrize(
    ("content_type", "data", "words"),
    [
        ("image/png", b"just some text, renamed to photo.png\n" * 4, "not an image we can show"),
        ("image/png", GIF, "is a GIF"),
        ("image/png", PNG[:5], "not an image we can show"),  # a header cut short: "\x89PNG\r" and nothing else
        ("image/webp", b"RIFF\x10\x00\x00\x00WAVEfmt " + b"\x00" * 40, "not an image we can show"),
        ("image/jpeg", PNG, "is a PNG image but was sent as JPEG"),
    ],
    ids=["text-renamed-png", "gif", "truncated-header", "riff-not-webp", "png-declared-jpeg"],
)
def test_what_is_not_a_photo_is_refused_deleted_and_not_attached(
    api, runtime, seller, product, content_type, data, words
):
    grant = _upload(api, seller, product, content_type, data)
    key = grant["upload"]["fields"]["key"]
    assert _stored(runtime, key)
    error = assert_error(_attach(api, seller, product, grant["image_url"]), 422, "invalid_image")
    assert words in error["message"]
    assert error["details"] == [{"loc": ["body", "images", 0], "msg": error["message"], "type": "invalid_image"}]
    assert not _stored(runtime, key)  # deleted: not left served from the images bucket
    after = api.get(f"/api/seller/products/{product['id']}", seller).json()
    assert after["images"] == [] and after["etag"] == product["etag"]  # nothing written


def test_too_large_object_is_refused_and_deleted(api, runtime, seller, product):
    from smartgrocer import settings

    grant = _start(api, seller, product["id"], content_type="image/png", size=PNG_SIZE).json()
    key = grant["upload"]["fields"]["key"]
    # What real S3 would refuse by the policy (moto does not): an upload past the limit, with a PNG header.
    big = PNG + b"\x00" * (settings.IMAGE_MAX_BYTES + 1 - PNG_SIZE)
    _s3(runtime).put_object(Bucket=runtime.env["IMAGES_BUCKET"], Key=key, Body=big, ContentType="image/png")
    error = assert_error(_attach(api, seller, product, grant["image_url"]), 422, "invalid_image")
    assert "at most 5 MB" in error["message"]
    assert not _stored(runtime, key)


def test_a_photo_never_uploaded_is_refused(api, seller, product):
    grant = _start(api, seller, product["id"]).json()  # the URL, but no upload
    error = assert_error(_attach(api, seller, product, grant["image_url"]), 422, "invalid_image")
    assert "was not uploaded" in error["message"]


def test_photos_already_attached_are_not_read_again(api, runtime, seller, product):
    """Reordering or removing photos reads nothing from S3: only photos being added are checked."""
    first = _upload(api, seller, product, "image/png", PNG)
    second = _upload(api, seller, product, "image/jpeg", JPEG)
    assert _attach(api, seller, product, first["image_url"]).status_code == 200
    current = _attach(api, seller, product, second["image_url"]).json()
    # The first object vanishes (a lifecycle rule, say); a reorder still saves.
    _s3(runtime).delete_object(Bucket=runtime.env["IMAGES_BUCKET"], Key=first["upload"]["fields"]["key"])
    reordered = api.put(
        f"/api/products/{product['id']}",
        seller,
        json={"images": [second["image_url"], first["image_url"]]},
        headers={"If-Match": current["etag"]},
    )
    assert reordered.status_code == 200, reordered.text


def test_photos_sent_with_a_new_product_are_checked_too(api, runtime, seller, product):
    grant = _upload(api, seller, product, "image/png", GIF)
    body = {"name": "Sneaky", "price": "1", "category": "pantry", "stock": 1, "images": [grant["image_url"]]}
    assert_error(api.post("/api/products", seller, json=body), 422, "invalid_image")
    assert not _stored(runtime, grant["upload"]["fields"]["key"])
    good = _upload(api, seller, product, "image/png", PNG)
    created = api.post("/api/products", seller, json={**body, "images": [good["image_url"]]})
    assert created.status_code == 201 and created.json()["images"] == [good["image_url"]]


def test_someone_elses_product_is_not_found_before_anything_is_read(api, runtime, seller, other_seller, product):
    grant = _upload(api, seller, product, "image/png", GIF)
    response = api.put(
        f"/api/products/{product['id']}", other_seller, json={"images": [grant["image_url"]]},
        headers={"If-Match": product["etag"]},
    )  # fmt: skip
    assert_error(response, 404)
    assert _stored(runtime, grant["upload"]["fields"]["key"])  # an outsider cannot make us delete a seller's upload
