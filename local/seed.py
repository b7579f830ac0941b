"""Demo data for the local runtime: sellers, a shopper, an admin and a grocery catalog.

Runs on first start only (when the demo admin does not exist yet) and goes through the same
domain functions as the API, so seeded data looks exactly like data created by users.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from html import escape

DEMO_PASSWORDS = {"shopper": "shopper-demo-1", "seller": "seller-demo-1", "admin": "admin-demo-1"}
ADMIN_EMAIL = "admin@demo.smartgrocer.test"
SHOPPER_EMAIL = "shopper@demo.smartgrocer.test"

# seller email -> (display name, [(name, description, price, category, stock, unit)])
CATALOG: dict[str, tuple[str, list[tuple[str, str, str, str, int, str]]]] = {
    "greenfields@demo.smartgrocer.test": (
        "Greenfields Farm",
        [
            ("Gala Apples", "Crisp, sweet apples picked this week.", "3.49", "fruit-veg", 120, "kg"),
            ("Bananas", "Fairtrade bananas, ripening nicely.", "1.29", "fruit-veg", 200, "kg"),
            ("Vine Tomatoes", "Sweet tomatoes still on the vine.", "2.99", "fruit-veg", 80, "500 g"),
            ("Carrots", "Unwashed Chantenay carrots.", "0.89", "fruit-veg", 150, "kg"),
            ("Baby Spinach", "Tender leaves, washed and ready to eat.", "1.99", "fruit-veg", 60, "200 g"),
            ("Red Onions", "Mild red onions.", "1.10", "fruit-veg", 90, "kg"),
            ("Garlic Bulbs", "Purple-skinned garlic.", "0.45", "fruit-veg", 300, "each"),
            ("Avocados", "Hass avocados, ready to eat.", "1.50", "fruit-veg", 70, "each"),
            ("Strawberries", "British strawberries.", "3.75", "fruit-veg", 40, "400 g"),
            ("Blueberries", "Plump blueberries.", "2.80", "fruit-veg", 45, "150 g"),
            ("Broccoli", "Tenderstem broccoli.", "1.60", "fruit-veg", 55, "each"),
            ("Potatoes", "Maris Piper, great for roasting.", "2.20", "fruit-veg", 100, "2.5 kg"),
            ("Lemons", "Unwaxed lemons.", "0.35", "fruit-veg", 160, "each"),
            ("Cucumber", "Crunchy whole cucumber.", "0.79", "fruit-veg", 75, "each"),
            ("Sweet Potatoes", "Orange-fleshed sweet potatoes.", "1.85", "fruit-veg", 65, "kg"),
            ("Mushrooms", "Closed cup chestnut mushrooms.", "1.40", "fruit-veg", 50, "250 g"),
        ],
    ),
    "bakehouse@demo.smartgrocer.test": (
        "The Bakehouse",
        [
            ("Sourdough Loaf", "Slow-fermented for 36 hours.", "4.20", "bakery", 30, "each"),
            ("Seeded Rye Bread", "Dense rye with sunflower seeds.", "3.60", "bakery", 25, "each"),
            ("Butter Croissants", "All-butter, baked every morning.", "3.00", "bakery", 40, "4 pack"),
            ("Cinnamon Buns", "Cardamom and cinnamon swirls.", "3.80", "bakery", 24, "4 pack"),
            ("Baguette", "Crusty French stick.", "1.50", "bakery", 50, "each"),
            ("Bagels", "Plain New York style bagels.", "2.40", "bakery", 35, "6 pack"),
            ("Focaccia", "Rosemary and sea salt.", "3.25", "bakery", 20, "each"),
            ("Chocolate Brownies", "Fudgy dark chocolate.", "4.50", "snacks", 30, "4 pack"),
            ("Oat Cookies", "Oat and raisin cookies.", "2.10", "snacks", 60, "200 g"),
            ("Strong White Flour", "For bread making.", "1.70", "pantry", 80, "1.5 kg"),
            ("Rolled Oats", "Wholegrain rolled oats.", "1.20", "pantry", 90, "kg"),
            ("Wildflower Honey", "Raw local honey.", "5.90", "pantry", 30, "340 g"),
            ("Strawberry Jam", "Small batch jam.", "2.95", "pantry", 40, "340 g"),
            ("Granola", "Maple and pecan granola.", "3.99", "pantry", 45, "500 g"),
            ("Pitta Breads", "Soft white pittas.", "0.95", "bakery", 70, "6 pack"),
            ("Carrot Cake", "With cream cheese frosting.", "12.00", "bakery", 8, "each"),
        ],
    ),
    "dairybarn@demo.smartgrocer.test": (
        "Dairy Barn",
        [
            ("Whole Milk", "Fresh whole milk from grass-fed cows.", "1.15", "dairy-eggs", 150, "2 l"),
            ("Semi-Skimmed Milk", "Fresh semi-skimmed milk.", "1.10", "dairy-eggs", 150, "2 l"),
            ("Free-Range Eggs", "Large free-range eggs.", "2.60", "dairy-eggs", 100, "12 pack"),
            ("Salted Butter", "Churned in small batches.", "2.25", "dairy-eggs", 80, "250 g"),
            ("Mature Cheddar", "Aged for 12 months.", "3.40", "dairy-eggs", 60, "400 g"),
            ("Greek Yogurt", "Thick strained yogurt.", "2.05", "dairy-eggs", 70, "500 g"),
            ("Double Cream", "Rich double cream.", "1.35", "dairy-eggs", 40, "300 ml"),
            ("Mozzarella", "Fresh mozzarella ball.", "1.25", "dairy-eggs", 55, "125 g"),
            ("Chicken Breast Fillets", "Free-range chicken breasts.", "6.50", "meat-fish", 35, "500 g"),
            ("Beef Mince", "Grass-fed beef mince, 5% fat.", "4.80", "meat-fish", 40, "500 g"),
            ("Smoked Salmon", "Scottish oak-smoked salmon.", "5.25", "meat-fish", 25, "200 g"),
            ("Pork Sausages", "Cumberland sausages.", "3.50", "meat-fish", 45, "6 pack"),
            ("Cod Fillets", "Skinless cod fillets.", "6.99", "meat-fish", 20, "2 pack"),
            ("Streaky Bacon", "Dry-cured smoked bacon.", "2.99", "meat-fish", 50, "240 g"),
            ("Vanilla Ice Cream", "Made with Madagascan vanilla.", "3.60", "frozen", 30, "1 l"),
            ("Frozen Peas", "Garden peas, frozen at source.", "1.30", "frozen", 90, "900 g"),
        ],
    ),
    "cornerpantry@demo.smartgrocer.test": (
        "Corner Pantry",
        [
            ("Basmati Rice", "Aged basmati rice.", "2.75", "pantry", 100, "kg"),
            ("Spaghetti", "Bronze-cut durum wheat pasta.", "1.05", "pantry", 120, "500 g"),
            ("Chopped Tomatoes", "Italian chopped tomatoes.", "0.70", "pantry", 200, "400 g"),
            ("Extra Virgin Olive Oil", "Cold pressed.", "6.40", "pantry", 45, "500 ml"),
            ("Red Lentils", "Split red lentils.", "1.55", "pantry", 80, "500 g"),
            ("Ground Coffee", "Medium roast.", "4.99", "drinks", 60, "227 g"),
            ("English Breakfast Tea", "80 tea bags.", "3.10", "drinks", 70, "box"),
            ("Orange Juice", "Not from concentrate.", "2.30", "drinks", 50, "1 l"),
            ("Sparkling Water", "Natural mineral water.", "0.65", "drinks", 150, "1 l"),
            ("Sea Salt Crisps", "Hand-cooked potato crisps.", "1.45", "snacks", 90, "150 g"),
            ("Dark Chocolate", "70% cocoa.", "2.20", "snacks", 75, "100 g"),
            ("Salted Peanuts", "Roasted and salted.", "1.35", "snacks", 85, "200 g"),
            ("Frozen Margherita Pizza", "Stone-baked pizza.", "3.25", "frozen", 40, "each"),
            ("Washing-Up Liquid", "Lemon scented.", "1.60", "household", 60, "500 ml"),
            ("Kitchen Roll", "Three rolls.", "2.40", "household", 50, "3 pack"),
            ("Laundry Detergent", "Non-bio, 40 washes.", "7.50", "household", 25, "1.4 l"),
        ],
    ),
}

# Sold by weight, at the counter: seller email -> [(name, description, price per kg, category, stock in grams,
# min_weight_g, step_g)]. Their unit is "kg"; received == stock (nothing held or sold yet), in grams.
WEIGHED: dict[str, list[tuple[str, str, str, str, int, int, int]]] = {
    "greenfields@demo.smartgrocer.test": [
        ("Loose Braeburn Apples", "Picked this week, weighed out for you.", "3.20", "fruit-veg", 20_000, 250, 250),
        ("Loose Plum Tomatoes", "Ripe plum tomatoes, sold loose.", "4.40", "fruit-veg", 20_000, 250, 250),
    ],
    "dairybarn@demo.smartgrocer.test": [
        ("Comté 18 Months", "Cut to order from the wheel.", "28.50", "dairy-eggs", 20_000, 100, 50),
        ("Farmhouse Cheddar", "Clothbound, cut to order.", "16.90", "dairy-eggs", 20_000, 100, 50),
        ("Counter Beef Mince", "Minced to order at the meat counter, 10% fat.", "11.80", "meat-fish", 20_000, 250, 50),
    ],
    "cornerpantry@demo.smartgrocer.test": [
        ("Loose Mixed Nuts", "Scoop your own: almonds, cashews, hazelnuts.", "14.00", "snacks", 20_000, 100, 50),
    ],
}


# How each demo seller hands orders over (DESIGN.md section 12), as `PUT /api/seller/fulfilment` takes it.
# Weekdays: 0 = Monday. Every seller configured here has a window open within the next 6 days whatever
# the day and hour (tests/unit/test_seed_fulfilment.py checks it); the Corner Pantry sets none, so the
# shop shows "delivery arranged by the seller".
def _slots(weekdays: tuple[int, ...], start: str, end: str, capacity: int) -> list[dict]:
    return [{"weekday": day, "start": start, "end": end, "capacity": capacity} for day in weekdays]


FULFILMENT: dict[str, dict] = {
    "greenfields@demo.smartgrocer.test": {
        "timezone": "America/New_York",
        "delivery": {
            "enabled": True,
            "fee": "4.00",
            "free_over": "40.00",
            "min_order": "15.00",
            "cutoff_hours": 12,
            "slots": _slots((1, 4), "09:00", "12:00", 20),
        },
        "pickup": {
            "enabled": True,
            "address": "Greenfields Farm shop, 240 Orchard Road, Springfield",
            "cutoff_hours": 12,
            # the farm shop opens every morning: a basket under the delivery minimum can always be collected
            "slots": _slots((0, 1, 2, 3, 4, 5, 6), "09:00", "13:00", 30),
        },
    },
    "bakehouse@demo.smartgrocer.test": {
        "timezone": "America/New_York",
        "delivery": {"enabled": False},
        "pickup": {
            "enabled": True,
            "address": "The Bakehouse, 12 Mill Lane, Springfield",
            "cutoff_hours": 2,
            "slots": _slots((0, 1, 2, 3, 4, 5, 6), "07:00", "10:00", 25),
        },
    },
    "dairybarn@demo.smartgrocer.test": {
        "timezone": "America/New_York",
        "delivery": {
            "enabled": True,
            "fee": "3.00",
            "free_over": "25.00",
            "min_order": "0.00",
            "cutoff_hours": 24,
            "slots": _slots((0, 2, 4), "16:00", "19:00", 15),
        },
        "pickup": {"enabled": False},
    },
}


# Category -> (background top, background bottom, accent): the demo pictures are drawn here, at seed time,
# so the catalog looks like a grocery with nothing downloaded.
PALETTE = {
    "fruit-veg": ("#e8f5e9", "#a5d6a7", "#2e7d32"),
    "bakery": ("#fff3e0", "#ffcc80", "#a15c00"),
    "dairy-eggs": ("#e3f2fd", "#bbdefb", "#1565c0"),
    "meat-fish": ("#fce4ec", "#f8bbd0", "#ad1457"),
    "pantry": ("#fffde7", "#fff59d", "#8d6e00"),
    "drinks": ("#e0f7fa", "#b2ebf2", "#00838f"),
    "frozen": ("#ede7f6", "#d1c4e9", "#4527a0"),
    "snacks": ("#fbe9e7", "#ffccbc", "#bf360c"),
    "household": ("#eceff1", "#cfd8dc", "#37474f"),
}


def demo_picture(name: str, category: str) -> bytes:
    """A square SVG: the category's colours, a plate, the product's initials and name. The shape's
    position varies with the name so neighbouring cards differ."""
    top, bottom, accent = PALETTE.get(category, PALETTE["household"])
    seed = int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)
    cx, cy, r = 200 + seed % 41 - 20, 170 + (seed >> 8) % 31 - 15, 92 + (seed >> 16) % 20
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    label = escape(name if len(name) <= 22 else name[:21] + "…")
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">
<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/></linearGradient></defs>
<rect width="400" height="400" fill="url(#g)"/>
<circle cx="{cx}" cy="{cy}" r="{r + 18}" fill="#ffffff" opacity="0.7"/>
<circle cx="{cx}" cy="{cy}" r="{r}" fill="{accent}" opacity="0.85"/>
<text x="{cx}" y="{cy + 22}" font-family="Helvetica, Arial, sans-serif" font-size="64" font-weight="700"
 fill="#ffffff" text-anchor="middle">{escape(initials)}</text>
<text x="200" y="350" font-family="Helvetica, Arial, sans-serif" font-size="28" font-weight="600"
 fill="{accent}" text-anchor="middle">{label}</text>
</svg>"""
    return svg.encode()


def _upload_picture(name: str, category: str) -> list[str]:
    """Put the picture in the images bucket (moto locally) where uploaded photos go; its URL."""
    bucket, base = os.environ.get("IMAGES_BUCKET"), os.environ.get("IMAGES_BASE_URL", "").rstrip("/")
    if not bucket or not base:
        return []
    import boto3

    key = f"products/demo/{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.svg"
    boto3.client("s3").put_object(
        Bucket=bucket,
        Key=key,
        Body=demo_picture(name, category),
        ContentType="image/svg+xml",
        CacheControl="public, max-age=86400",
    )
    return [f"{base}/{key}"]


def demo_products(pictures: bool = True) -> Iterator[tuple[str, str, dict]]:
    """(seller email, shop name, the product as the API takes it) for every demo product, sold by the unit
    then by weight; `pictures` draws and uploads each one's picture (needs the images bucket)."""
    for email, (shop_name, products) in CATALOG.items():
        for name, description, price, category, stock, unit in products:
            fields = {"stock": stock, "unit": unit}
            yield email, shop_name, _fields(name, description, price, category, pictures, fields)
        for name, description, price, category, grams, min_weight_g, step_g in WEIGHED.get(email, []):
            fields = {"stock": grams, "sold_by": "weight", "min_weight_g": min_weight_g, "step_g": step_g}
            yield email, shop_name, _fields(name, description, price, category, pictures, fields)


def _fields(name: str, description: str, price: str, category: str, pictures: bool, selling: dict) -> dict:
    return {
        "name": name,
        "description": description,
        "price": int(price.replace(".", "")),
        "category": category,
        **selling,
        "images": _upload_picture(name, category) if pictures else [],
    }


def seed_demo_data(log: Callable[[str], None] = print) -> bool:
    from smartgrocer import wiring  # noqa: F401  (the domain's ports: the runner process calls the domain here)
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain import auth, catalog
    from smartgrocer.domain.auth import Principal

    if db().users.find_one({"email": ADMIN_EMAIL}):
        _bring_demo_sellers_up_to_date(log)
        return False
    log("Seeding demo data (first run)...")
    _, admin = auth.signup(ADMIN_EMAIL, DEMO_PASSWORDS["admin"], "Demo Admin", None, False)
    db().users.update_one({"_id": admin["_id"]}, {"$set": {"role": "admin"}})  # admins are never self-assigned
    auth.signup(SHOPPER_EMAIL, DEMO_PASSWORDS["shopper"], "Sam Shopper", "+1 555 0100", False)
    sellers = {}
    for email, (shop_name, _) in CATALOG.items():
        _, seller = auth.signup(email, DEMO_PASSWORDS["seller"], shop_name, None, True)
        sellers[email] = Principal(seller["_id"], "seller", email, shop_name)
        _activate_payouts(sellers[email])
        if email in FULFILMENT:
            _set_fulfilment(sellers[email], FULFILMENT[email])
    count = 0
    for email, _, fields in demo_products():
        catalog.create_product(sellers[email], fields, drawn_pictures=True)
        count += 1
    log(f"Seeded {count} products from {len(CATALOG)} sellers.")
    return True


def _bring_demo_sellers_up_to_date(log: Callable[[str], None]) -> None:
    """A data folder seeded by an earlier version has demo sellers without what later versions added: a
    payout account (without one their products are not listed: the catalog looked empty) and delivery
    settings. Give them what a first run gives them now; sellers who have them are left alone."""
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain import ports
    from smartgrocer.domain.auth import Principal
    from smartgrocer.domain.checkout_ports import SellerRepository
    from smartgrocer.domain.sellers import status_of

    repository = ports.resolve(SellerRepository)
    for email, (shop_name, _) in CATALOG.items():
        user = db().users.find_one({"email": email}, {"_id": 1})
        if user is None:
            continue
        seller = Principal(user["_id"], "seller", email, shop_name)
        if status_of(repository.get(seller.user_id)) != "active":
            _activate_payouts(seller)
            log(f"Demo seller {shop_name}: payouts set up (this data folder predates them).")
        if email in FULFILMENT and repository.get_fulfilment(seller.user_id) is None:
            _set_fulfilment(seller, FULFILMENT[email])
            log(f"Demo seller {shop_name}: delivery and pickup settings added.")


def _activate_payouts(seller) -> None:
    """A demo seller can be paid from the start: an account at the local provider, onboarded (its
    `account.updated` webhook follows when the runner delivers), and stored active right away with their
    products listed, as that webhook would leave them (`sellers.account_updated`), whenever it arrives."""
    from local.payment_provider import LocalPaymentGateway, activate_account
    from smartgrocer.domain import ports
    from smartgrocer.domain.catalog_ports import ProductRepository
    from smartgrocer.domain.checkout_ports import SellerRepository
    from smartgrocer.domain.sellers import now

    repository = ports.resolve(SellerRepository)
    repository.ensure(seller.user_id, seller.full_name, seller.email, now())
    account_id = LocalPaymentGateway().create_account(seller.user_id, seller.email, f"account-{seller.user_id}")
    activate_account(account_id)
    repository.set_account(seller.user_id, account_id, "active", now())
    ports.resolve(ProductRepository).set_seller_payable(seller.user_id, True)  # a first run has none yet


def _set_fulfilment(seller, settings: dict) -> None:
    """The seller's delivery and pickup settings, read and checked as the API reads and checks them."""
    from smartgrocer.domain import seller_fulfilment
    from smartgrocer.models.fulfilment import FulfilmentSettingsIn

    seller_fulfilment.put_settings(seller, FulfilmentSettingsIn.model_validate(settings).model_dump())


def print_demo_accounts(log: Callable[[str], None] = print) -> None:
    log("Demo accounts:")
    log(f"  admin    {ADMIN_EMAIL} / {DEMO_PASSWORDS['admin']}")
    log(f"  shopper  {SHOPPER_EMAIL} / {DEMO_PASSWORDS['shopper']}")
    for email in CATALOG:
        log(f"  seller   {email} / {DEMO_PASSWORDS['seller']}")
