"""Product photo uploads: the browser posts straight to object storage with a presigned POST whose
policy pins the key, the content type and the size range, so the API never handles image bytes.

Before an uploaded photo is attached to a product (`check_uploaded`, called by the product writes for
each photo they add), the server reads the object's first bytes with one ranged read and accepts only a
real JPEG, PNG or WebP, recognised by its magic number, matching the type it was declared as (stored with
the upload) and within the size limit. Anything else is refused in words (422 `invalid_image`) and the
object is deleted, so what is not a photo is neither attached nor left served from the images bucket.
"""

from __future__ import annotations

import secrets

from smartgrocer import settings
from smartgrocer.domain import ports
from smartgrocer.domain.catalog import images_base_url, require_owned_product
from smartgrocer.domain.catalog_ports import ImageStorage, StoredObject
from smartgrocer.errors import Invalid

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
SNIFF_BYTES = 16  # enough for the longest signature (WebP: "RIFF", 4 size bytes, "WEBP")
ACCEPTED = "Photos must be JPEG, PNG or WebP images."


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


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


def sniff(first_bytes: bytes) -> str | None:
    """The image type the bytes start like, by magic number; None for anything else (GIF, text, a cut header)."""
    if first_bytes.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if first_bytes.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(first_bytes) >= 12 and first_bytes[:4] == b"RIFF" and first_bytes[8:12] == b"WEBP":
        return "image/webp"
    return None


def problem_with(key: str, stored: StoredObject | None) -> str | None:
    """Why the object at `key` is not a photo we attach, in words; None when it is one."""
    if stored is None:
        return "That photo was not uploaded (or its upload did not finish). Add it again."
    if stored.size == 0:
        return "That file is empty. Choose a JPEG, PNG or WebP photo."
    if stored.size > settings.IMAGE_MAX_BYTES:
        return (
            f"That photo is {_mb(stored.size)} MB; photos can be at most "
            f"{_mb(settings.IMAGE_MAX_BYTES)} MB. Choose a smaller one."
        )
    found = sniff(stored.first_bytes)
    if found is None:
        kind = "a GIF" if stored.first_bytes.startswith(b"GIF8") else "not an image we can show"
        return f"That file is {kind}, whatever its name says. {ACCEPTED}"
    declared = stored.content_type.split(";")[0].strip().lower()
    extension = key.rpartition(".")[2].lower()
    if declared != found or EXTENSIONS[found] != extension:
        said = NAMES.get(declared, declared or "an unknown type")
        return f"That file is a {NAMES[found]} image but was sent as {said}. Choose the photo again to upload it."
    return None


def check_uploaded(url: str, loc: list, storage: ImageStorage | None = None) -> None:
    """Accept the uploaded photo at `url` (one of ours: `catalog._check_images` checked its shape) or refuse
    it with 422 `invalid_image`, deleting the object: nothing is attached and nothing is left behind."""
    key = url.removeprefix(f"{images_base_url()}/")
    storage = storage or ports.resolve(ImageStorage)
    stored = storage.read_start(key, SNIFF_BYTES)
    problem = problem_with(key, stored)
    if problem is None:
        return
    if stored is not None:
        storage.delete(key)
    raise Invalid(problem, code="invalid_image", details=[{"loc": loc, "msg": problem, "type": "invalid_image"}])
