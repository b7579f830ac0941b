from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import Field

from smartgrocer.models.common import AmountOut, ResponseModel, UtcDateTime


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


# The request bodies and the image-upload models are used by the write routes only: they live in
# `models.product_writes` and are imported from there on first use, so a catalog read never builds them.
_WRITE_MODELS = frozenset(
    {"ProductCreate", "ProductUpdate", "ImageContentType", "ImageUploadRequest", "PresignedPost", "ImageUploadResponse"}
)


def __getattr__(name: str) -> Any:
    if name in _WRITE_MODELS:
        from smartgrocer.models import product_writes

        return getattr(product_writes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
