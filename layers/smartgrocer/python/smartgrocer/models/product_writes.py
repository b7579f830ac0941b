"""Product request bodies and the image-upload exchange: the write routes' models (see `models.products`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from smartgrocer.models.common import AmountIn, RequestModel, ResponseModel
from smartgrocer.models.products import SOLD_BY, Category, ImageUrl, SoldBy, Unit

MIN_WEIGHT_G = "Sold by weight only (required then): the least a basket takes, in grams, a whole number of steps"
STEP_G = "Sold by weight only (required then): the step a basket's weight goes up in, in grams"
# The bounds are those of domain/weights.py (MAX_MIN_WEIGHT_G, MAX_STEP_G), which also checks them.


def _drop_default(schema: dict) -> None:
    schema.pop("default", None)


class ProductCreate(RequestModel):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    price: AmountIn = Field(description="Per `unit`; per kg for a product sold by weight")
    category: Category
    stock: int = Field(ge=0, le=1_000_000, strict=True, description="Items; grams for a product sold by weight")
    unit: Unit = Field(default="each", description='Sold by weight: "kg" or left out (it is set to "kg")')
    images: list[ImageUrl] = Field(default_factory=list, max_length=8)
    # Optional in the schema (clients that predate it send no sold_by); "unit" when left out.
    sold_by: SoldBy = Field(default="unit", description=SOLD_BY, json_schema_extra=_drop_default)
    min_weight_g: int | None = Field(default=None, ge=1, le=10_000, strict=True, description=MIN_WEIGHT_G)
    step_g: int | None = Field(default=None, ge=1, le=5_000, strict=True, description=STEP_G)


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
    sold_by: SoldBy = _optional_not_null(
        description="Fixed once created: the same value is accepted, another is 422 `sold_by_fixed`"
    )
    min_weight_g: int = _optional_not_null(ge=1, le=10_000, strict=True, description=MIN_WEIGHT_G)
    step_g: int = _optional_not_null(ge=1, le=5_000, strict=True, description=STEP_G)


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
