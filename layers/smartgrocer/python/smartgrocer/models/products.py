from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import Field

from smartgrocer.models.common import AmountIn, AmountOut, RequestModel, ResponseModel


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
    "fruit-veg": "Fruit & Vegetables", "dairy-eggs": "Dairy & Eggs", "bakery": "Bakery",
    "meat-fish": "Meat & Fish", "pantry": "Pantry", "drinks": "Drinks", "frozen": "Frozen",
    "snacks": "Snacks", "household": "Household",
}

Unit = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[\w .]+$", examples=["each", "kg", "500 g"])]
ImageUrl = Annotated[str, Field(max_length=500)]
ProductSort = Literal["price", "-price", "newest", "name"]


class ProductCreate(RequestModel):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    price: AmountIn
    category: Category
    stock: int = Field(ge=0, le=1_000_000)
    unit: Unit = "each"
    images: list[ImageUrl] = Field(default_factory=list, max_length=8)


class ProductUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    price: AmountIn | None = None
    category: Category | None = None
    stock: int | None = Field(default=None, ge=0, le=1_000_000)
    unit: Unit | None = None
    images: list[ImageUrl] | None = Field(default=None, max_length=8)


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
    created_at: datetime
    updated_at: datetime


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
    size: int = Field(gt=0, description="Size in bytes of the file to upload")


class PresignedPost(ResponseModel):
    url: str
    fields: dict[str, str]


class ImageUploadResponse(ResponseModel):
    upload: PresignedPost
    image_url: str
    max_bytes: int
