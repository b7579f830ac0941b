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
ProductSort = Literal["relevance", "price", "-price", "newest", "name", "unit_price", "-unit_price"]
SoldBy = Literal["unit", "weight"]
UnitPriceBasis = Literal["kg", "l", "item"]

SOLD_BY = (
    'How the product is sold. "unit" (the default): `price` is per `unit`, `stock` counts items. "weight": '
    '`price` is per kg, `stock` is in grams, `unit` is "kg", and a basket takes at least `min_weight_g` grams '
    "in steps of `step_g` grams. Fixed once the product is created."
)


class UnitPriceOut(ResponseModel):
    amount: AmountOut = Field(description="The price per `basis`, rounded half up to the cent")
    basis: UnitPriceBasis = Field(description="kg, l (litre) or item")
    label: str = Field(description="Amount with currency symbol, per basis", examples=["$5.60/kg"])


class ProductOut(ResponseModel):
    id: str
    seller_id: str
    seller_name: str = ""
    name: str
    description: str
    price: AmountOut = Field(description="Per `unit`; per kg for a product sold by weight")
    currency: str
    category: Category
    stock: int = Field(description="Items in stock; grams for a product sold by weight")
    unit: str = Field(
        description='What the price buys ("500 g", "each", "pack of 6"); "kg" for a product sold by weight'
    )
    sold_by: SoldBy = Field(description=SOLD_BY)
    min_weight_g: int | None = Field(description="Sold by weight: the least a basket takes, in grams; else null")
    step_g: int | None = Field(description="Sold by weight: the step a basket's weight goes up in, in grams; else null")
    unit_price: UnitPriceOut = Field(
        description="The comparable price: per kg (mass units and products sold by weight), per litre (volume "
        'units) or per item ("each", packs divided by their count, and any unit that names no quantity). '
        "What `sort=unit_price` orders by (amount only, whatever the basis)"
    )
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
    did_you_mean: str | None = Field(
        default=None,
        description="Only on an empty first page of a search: a query that does find something with the same "
        "filters (misspelt words corrected, or one word left out), if there is one",
        examples=["chocolate"],
    )


class SuggestionOut(ResponseModel):
    kind: Literal["category", "product"]
    label: str = Field(description="What to show: the category's or the product's name")
    category: Category | None = Field(description='kind "category": its slug; else null')
    product_id: str | None = Field(description='kind "product": its id; else null')


class SuggestionsOut(ResponseModel):
    items: list[SuggestionOut]


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
