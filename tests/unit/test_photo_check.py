"""The photo check before attaching: magic numbers, the declared type, the size limit, and that a refused
upload is deleted while an accepted one is left alone (a fake object store; tests/integration/test_images.py
runs the same rules against S3 on moto)."""

from __future__ import annotations

import pytest

from smartgrocer import settings
from smartgrocer.domain import images
from smartgrocer.domain.catalog_ports import StoredObject
from smartgrocer.errors import Invalid

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01"
WEBP = b"RIFF\x64\x00\x00\x00WEBPVP8 "


class FakeStorage:
    def __init__(self, objects: dict[str, StoredObject]):
        self.objects = objects
        self.reads: list[tuple[str, int]] = []
        self.deleted: list[str] = []

    def read_start(self, key: str, length: int) -> StoredObject | None:
        self.reads.append((key, length))
        found = self.objects.get(key)
        return None if found is None else StoredObject(found.first_bytes[:length], found.size, found.content_type)

    def delete(self, key: str) -> None:
        self.deleted.append(key)
        self.objects.pop(key, None)


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"), (b"GIF89a", None), (b"\x89PNG", None),
     (b"RIFF\x00\x00\x00\x00WAVE", None), (b"hello.png", None), (b"", None), (b"\xff\xd8", None)],
)  # fmt: skip
def test_sniff_recognises_only_jpeg_png_webp(data, kind):
    assert images.sniff(data) == kind


@pytest.mark.parametrize(("key", "data", "declared"), [("a.png", PNG, "image/png"), ("a.jpg", JPEG, "image/jpeg"),
                                                      ("a.webp", WEBP, "image/webp")])  # fmt: skip
def test_a_real_photo_as_declared_is_accepted_and_kept(key, data, declared):
    storage = FakeStorage({f"products/p/{key}": StoredObject(data, 2048, declared)})
    images.check_uploaded(f"{images.images_base_url()}/products/p/{key}", ["body", "images", 0], storage)
    assert storage.reads == [(f"products/p/{key}", images.SNIFF_BYTES)] and storage.deleted == []


@pytest.mark.parametrize(
    ("key", "stored", "words"),
    [
        ("a.png", StoredObject(b"not a photo at all", 18, "image/png"), "not an image we can show"),
        ("a.png", StoredObject(b"GIF89a\x01\x00", 800, "image/png"), "is a GIF"),
        ("a.png", StoredObject(b"\x89PNG\r", 5, "image/png"), "not an image we can show"),
        ("a.jpg", StoredObject(PNG, 800, "image/jpeg"), "is a PNG image but was sent as JPEG"),
        ("a.jpg", StoredObject(JPEG, 800, "image/png"), "is a JPEG image but was sent as PNG"),
        ("a.png", StoredObject(PNG, settings.IMAGE_MAX_BYTES + 1, "image/png"), "at most 5 MB"),
        ("a.png", StoredObject(b"", 0, ""), "empty"),
    ],
)
def test_anything_else_is_refused_in_words_and_deleted(key, stored, words):
    storage = FakeStorage({f"products/p/{key}": stored})
    with pytest.raises(Invalid) as refused:
        images.check_uploaded(f"{images.images_base_url()}/products/p/{key}", ["body", "images", 3], storage)
    assert refused.value.code == "invalid_image" and refused.value.status == 422
    assert words in refused.value.message
    issue = {"loc": ["body", "images", 3], "msg": refused.value.message, "type": "invalid_image"}
    assert refused.value.details == [issue]
    assert storage.deleted == [f"products/p/{key}"]


def test_missing_upload_is_refused_without_a_delete():
    storage = FakeStorage({})
    with pytest.raises(Invalid, match="was not uploaded"):
        images.check_uploaded(f"{images.images_base_url()}/products/p/a.png", ["body", "images", 0], storage)
    assert storage.deleted == []
