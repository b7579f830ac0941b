from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import Field

from smartgrocer.models.common import AmountIn, AmountOut, RequestModel, ResponseModel, UtcDateTime


class Category(str, Enum):
    FRUIT_VEG = "fruit-veg"
    DAIRY_EGGS = "dairy-eggs"
    BAKERY = "bakery"
    MEAT_FISH = "meat-fish"
    PANTRY = "pantry"
    DRINKS = "drinks"
    FROZEN = "frozen"
    SNACKS = "snacks"
    HOUSEHOLD = "household"


CATEGORY_NAMES: dict[str, str] = {
    "fruit-veg": "Fruit & Vegetables",
    "dairy-eggs": "Dairy & Eggs",
    "bakery": "Bakery",
    "meat-fish": "Meat & Fish",
    "pantry": "Pantry",
    "drinks": "Drinks",
    "frozen": "Frozen",
    "snacks": "Snacks",
    "household": "Household",
}

Unit = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[\w .]+$", examples=["each", "kg", "500 g"])]
ImageUrl = Annotated[str, Field(max_length=500)]
ProductSort = Literal["price", "-price", "newest", "name"]


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


class ProductOut(ResponseModel):
    id: str
    seller_id: str
    seller_name: str = ""
    name: str
    description: str
    price: AmountOut
    currency: str
    category: Category
    stock: int
    unit: str
    images: list[str]
    is_active: bool
    created_at: UtcDateTime
    updated_at: UtcDateTime
    etag: str = Field(
        description="This version of the product, as in the ETag header: send it back as If-Match when editing",
        examples=['"r3.s10"'],
    )


class ProductsPage(ResponseModel):
    items: list[ProductOut]
    next_cursor: str | None = None


class CategoryOut(ResponseModel):
    slug: str
    name: str
    count: int


class CategoriesOut(ResponseModel):
    items: list[CategoryOut]


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
