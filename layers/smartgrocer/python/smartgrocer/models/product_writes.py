"""Product request bodies and the image-upload exchange: the write routes' models (see `models.products`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from smartgrocer.models.common import AmountIn, RequestModel, ResponseModel
from smartgrocer.models.products import SOLD_BY, Category, ImageUrl, SoldBy, Unit

MIN_WEIGHT_G = "Sold by weight only (required then): the least a basket takes, in grams, a whole number of steps"
STEP_G = "Sold by weight only (required then): the step a basket's weight goes up in, in grams"
# The bounds are those of domain/weights.py (MAX_MIN_WEIGHT_G, MAX_STEP_G), which also checks them.


def _drop_default(schema: dict) -> None:
    schema.pop("default", None)


# The longest text each field takes. Longer input is refused (422 naming the field and the limit), never cut.
NAME_MAX = 120
DESCRIPTION_MAX = 2000
NAME_TEXT = f"At most {NAME_MAX} characters (after trimming spaces); longer is refused, not shortened"
DESCRIPTION_TEXT = f"At most {DESCRIPTION_MAX} characters; longer is refused, not shortened"


def _at_least_a_cent(cents: int) -> int:
    if cents < 1:
        raise PydanticCustomError("price_too_low", "Enter a price of at least 0.01: a product can't be free.")
    return cents


PriceIn = Annotated[
    AmountIn,
    AfterValidator(_at_least_a_cent),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{1,6}(\.\d{1,2})?$"},
                {"type": "number", "minimum": 0.01, "maximum": 100000, "multipleOf": 0.01},
            ],
            "description": 'Decimal amount with at most two places, at least 0.01 (0 is refused), e.g. "3.49"',
        }
    ),
]


class ProductCreate(RequestModel):
    name: str = Field(min_length=1, max_length=NAME_MAX, description=NAME_TEXT)
    description: str = Field(default="", max_length=DESCRIPTION_MAX, description=DESCRIPTION_TEXT)
    price: PriceIn = Field(description="Per `unit`; per kg for a product sold by weight; at least 0.01")
    category: Category
    stock: int = Field(
        ge=0,
        le=1_000_000,
        strict=True,
        description="Items; grams for a product sold by weight. 0 is allowed: the product shows as out of stock",
    )
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
    name: str = _optional_not_null(min_length=1, max_length=NAME_MAX, description=NAME_TEXT)
    description: str = _optional_not_null(max_length=DESCRIPTION_MAX, description=DESCRIPTION_TEXT)
    price: PriceIn = _optional_not_null(description="At least 0.01")
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
