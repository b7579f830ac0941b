"""Product request bodies and the image-upload exchange: the write routes' models (see `models.products`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from smartgrocer.models.common import AmountIn, RequestModel, ResponseModel
from smartgrocer.models.products import Category, ImageUrl, Unit


class ProductCreate(RequestModel):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    price: AmountIn
    category: Category
    stock: int = Field(ge=0, le=1_000_000, strict=True)
    unit: Unit = "each"
    images: list[ImageUrl] = Field(default_factory=list, max_length=8)


def _drop_default(schema: dict) -> None:
    schema.pop("default", None)


def _optional_not_null(**constraints: Any) -> Any:
    """A field an update may leave out, but never send as null: null would blank a required attribute
    (and break the sort keys). Omitted fields are dropped with `exclude_unset`."""
    return Field(default=None, json_schema_extra=_drop_default, **constraints)


class ProductUpdate(RequestModel):
    name: str = _optional_not_null(min_length=1, max_length=120)
    description: str = _optional_not_null(max_length=2000)
    price: AmountIn = _optional_not_null()
    category: Category = _optional_not_null()
    stock: int = _optional_not_null(ge=0, le=1_000_000, strict=True)
    unit: Unit = _optional_not_null()
    images: list[ImageUrl] = _optional_not_null(max_length=8)


ImageContentType = Literal["image/jpeg", "image/png", "image/webp"]


class ImageUploadRequest(RequestModel):
    content_type: ImageContentType
    size: int = Field(gt=0, strict=True, description="Size in bytes of the file to upload")


class PresignedPost(ResponseModel):
    url: str
    fields: dict[str, str]


class ImageUploadResponse(ResponseModel):
    upload: PresignedPost
    image_url: str
    max_bytes: int
