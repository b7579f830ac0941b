"""Product photo uploads: the browser posts straight to object storage with a presigned POST whose
policy pins the key, the content type and the size range, so the API never handles image bytes."""

from __future__ import annotations

import secrets

from smartgrocer import settings
from smartgrocer.domain import ports
from smartgrocer.domain.catalog import images_base_url, require_owned_product
from smartgrocer.domain.catalog_ports import ImageStorage
from smartgrocer.errors import Invalid

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def start_upload(principal, product_id: str, content_type: str, size: int, storage: ImageStorage | None = None) -> dict:
    require_owned_product(principal, product_id)
    if size > settings.IMAGE_MAX_BYTES:
        raise Invalid(
            f"Photos must be at most {settings.IMAGE_MAX_BYTES // (1024 * 1024)} MB.",
            details=[{"loc": ["body", "size"], "msg": f"at most {settings.IMAGE_MAX_BYTES} bytes"}],
        )
    key = f"products/{product_id}/{secrets.token_hex(8)}.{EXTENSIONS[content_type]}"
    post = (storage or ports.resolve(ImageStorage)).presigned_post(key, content_type, size)
    return {
        "upload": {"url": post["url"], "fields": post["fields"]},
        "image_url": f"{images_base_url()}/{key}",
        "max_bytes": size,
    }
