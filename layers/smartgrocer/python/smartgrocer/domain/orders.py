"""Orders: checkout (one order per seller under one checkout), listing, lifecycle, cancellation.

Stock is held per checkout inside the product document: one conditional update takes the stock
and records `reservations.<checkout_id>` atomically (`stock >= qty`, never read-then-write), and
releasing it is one idempotent update that only fires while that reservation exists. Paid
checkouts drop the reservation marker (the stock stays sold); failed, expired or cancelled ones
release it. Restocking a cancelled paid order is guarded by `restocks.<order_id>` the same way.

Status history is a map status -> {at, by}: each status happens at most once per order, and a
map entry is a plain `$set` (no array pushes), so every transition stays one atomic update.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pymongo import ReturnDocument

from smartgrocer import settings
from smartgrocer.adapters.mongo import db
from smartgrocer.domain.events import publish_safely
from smartgrocer.domain.ids import decode_cursor, keyset_page, new_id, sort_key_time
from smartgrocer.errors import Conflict, NotFound, Unavailable
from smartgrocer.money import format_amount

SELLER_FLOW = {"paid": "packed", "packed": "out_for_delivery", "out_for_delivery": "delivered"}
# status -> who may cancel from it
CANCELLABLE_BY = {
    "pending_payment": {"buyer", "seller", "admin"},
    "paid": {"buyer", "seller", "admin"},
    "packed": {"admin"},
    "out_for_delivery": {"admin"},
}
SHOPPER_NOTIFIED = {"out_for_delivery", "delivered", "cancelled"}


def now() -> datetime:
    return datetime.now(timezone.utc)


# -- presentation ----------------------------------------------------------------------------------

def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def public_order(doc: dict) -> dict:
    history = sorted(({"status": status, "at": _aware(entry["at"]), "by": entry["by"]}
                      for status, entry in (doc.get("history") or {}).items()), key=lambda h: h["at"])
    return {
        "id": doc["_id"], "checkout_id": doc["checkout_id"], "user_id": doc["user_id"],
        "seller_id": doc["seller_id"], "seller_name": doc.get("seller_name", ""),
        "items": [{"product_id": i["product_id"], "name": i["name"], "unit": i["unit"],
                   "unit_price": format_amount(i["unit_price_cents"]), "quantity": i["quantity"],
                   "line_total": format_amount(i["line_total_cents"])} for i in doc["items"]],
        "total": format_amount(doc["total_cents"]), "currency": doc["currency"], "status": doc["status"],
        "payment_status": doc["payment_status"], "shipping_address": doc["shipping_address"],
        "status_history": history, "created_at": doc["created_at"], "updated_at": doc["updated_at"],
        "expires_at": doc.get("expires_at") if doc["status"] == "pending_payment" else None,
    }


# -- stock -----------------------------------------------------------------------------------------

def reserve_stock(product_id: str, quantity: int, checkout_id: str) -> bool:
    taken = db().products.update_one(
        {"_id": product_id, "is_active": True, "stock": {"$gte": quantity},
         f"reservations.{checkout_id}": {"$exists": False}},
        {"$inc": {"stock": -quantity}, "$set": {f"reservations.{checkout_id}": quantity}})
    return taken.modified_count == 1


def release_stock(product_id: str, quantity: int, checkout_id: str) -> bool:
    """Put a held reservation back; a second call finds no reservation and changes nothing."""
    released = db().products.update_one(
        {"_id": product_id, f"reservations.{checkout_id}": quantity},
        {"$inc": {"stock": quantity}, "$unset": {f"reservations.{checkout_id}": ""}})
    return released.modified_count == 1


def commit_stock(product_id: str, checkout_id: str) -> None:
    """The checkout is paid: the reservation becomes a sale (the stock stays taken)."""
    db().products.update_one({"_id": product_id, f"reservations.{checkout_id}": {"$exists": True}},
                             {"$unset": {f"reservations.{checkout_id}": ""}})


def restock_order(order: dict) -> None:
    for item in order["items"]:
        db().products.update_one({"_id": item["product_id"], f"restocks.{order['_id']}": {"$exists": False}},
                                 {"$inc": {"stock": item["quantity"]},
                                  "$set": {f"restocks.{order['_id']}": item["quantity"]}})


def release_checkout(checkout: dict) -> None:
    for line in checkout["lines"]:
        release_stock(line["product_id"], line["quantity"], checkout["_id"])


# -- checkout --------------------------------------------------------------------------------------

def _merge_lines(items: list[dict]) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for item in items:
        quantities[item["product_id"]] = quantities.get(item["product_id"], 0) + item["quantity"]
    return quantities


def _short(product_id: str, name: str | None, requested: int, available: int | None, reason: str) -> dict:
    return {"product_id": product_id, "name": name, "requested": requested, "available": available,
            "reason": reason}


def place_checkout(principal, items: list[dict], shipping_address: dict) -> dict:
    """Reserve every line or none, create one order per seller, then ask for one payment."""
    quantities = _merge_lines(items)
    products = {p["_id"]: p for p in db().products.find({"_id": {"$in": list(quantities)}, "is_active": True},
                                                         {"terms": 0, "reservations": 0, "restocks": 0})}
    unavailable = [_short(pid, None, qty, 0, "unavailable") for pid, qty in quantities.items() if pid not in products]
    if unavailable:
        raise Conflict("Some products are no longer available.", code="out_of_stock", details=unavailable)

    created, checkout_id = now(), new_id()
    expires_at = created + timedelta(seconds=settings.ORDER_PAYMENT_TTL_SECONDS)
    lines = [{"product_id": pid, "quantity": qty} for pid, qty in sorted(quantities.items())]
    # The checkout is written first: whatever happens next, the expiry sweep can find and undo it.
    checkout = {"_id": checkout_id, "user_id": principal.user_id, "lines": lines, "status": "reserving",
                "order_ids": [], "created_at": created, "expires_at": expires_at}
    db().checkouts.insert_one(checkout)

    taken, short = [], []
    for line in lines:
        product = products[line["product_id"]]
        if reserve_stock(line["product_id"], line["quantity"], checkout_id):
            taken.append(line)
        else:
            current = db().products.find_one({"_id": line["product_id"]}, {"stock": 1, "is_active": 1})
            available = current["stock"] if current and current.get("is_active") else 0
            short.append(_short(line["product_id"], product["name"], line["quantity"], available,
                                "insufficient_stock" if available else "out_of_stock"))
    if short:
        for line in taken:
            release_stock(line["product_id"], line["quantity"], checkout_id)
        db().checkouts.update_one({"_id": checkout_id}, {"$set": {"status": "rejected"}})
        names = ", ".join(s["name"] for s in short)
        raise Conflict(f"Not enough stock for: {names}.", code="out_of_stock", details=short)

    orders = _build_orders(principal, checkout_id, quantities, products, shipping_address, created, expires_at)
    total = sum(o["total_cents"] for o in orders)
    db().orders.insert_many(orders)
    db().checkouts.update_one({"_id": checkout_id}, {"$set": {"order_ids": [o["_id"] for o in orders],
                                                              "amount_cents": total, "currency": settings.CURRENCY,
                                                              "status": "creating_payment"}})
    from smartgrocer.domain.payments import PaymentProviderError, gateway

    provider = gateway()
    try:
        intent = provider.create_payment_intent(total, settings.CURRENCY, checkout_id, f"checkout-{checkout_id}")
    except PaymentProviderError:
        abandon_checkout(db().checkouts.find_one({"_id": checkout_id}), reason="payment_provider_error")
        raise Unavailable("The payment provider is not responding. Nothing was charged; please try again.",
                          code="payment_provider_unavailable", retry_after=5) from None
    db().checkouts.update_one({"_id": checkout_id, "status": "creating_payment"},
                              {"$set": {"status": "pending_payment", "payment_intent_id": intent.id}})
    for order in orders:
        publish_safely("smartgrocer.orders", "OrderPlaced", {"order_id": order["_id"], "checkout_id": checkout_id})
    return {"checkout_id": checkout_id, "orders": [public_order(o) for o in orders],
            "payment": {"provider": provider.provider, "client_secret": intent.client_secret,
                        "amount": format_amount(total), "currency": settings.CURRENCY,
                        "publishable_key": provider.publishable_key}}


def _build_orders(principal, checkout_id, quantities, products, shipping_address, created, expires_at) -> list[dict]:
    by_seller: dict[str, list[dict]] = {}
    for pid, qty in sorted(quantities.items()):
        product = products[pid]
        line_total = product["price_cents"] * qty  # integer cents: exact
        by_seller.setdefault(product["seller_id"], []).append({
            "product_id": pid, "name": product["name"], "unit": product["unit"],
            "unit_price_cents": product["price_cents"], "quantity": qty, "line_total_cents": line_total,
            "seller_name": product.get("seller_name", "")})
    orders = []
    for seller_id, items in sorted(by_seller.items()):
        order_id = new_id()
        orders.append({
            "_id": order_id, "checkout_id": checkout_id, "user_id": principal.user_id, "buyer_email": principal.email,
            "seller_id": seller_id, "seller_name": items[0].pop("seller_name"),
            "items": [{k: v for k, v in i.items() if k != "seller_name"} for i in items],
            "total_cents": sum(i["line_total_cents"] for i in items), "currency": settings.CURRENCY,
            "status": "pending_payment", "payment_status": "unpaid", "refund_pending": False,
            "shipping_address": shipping_address,
            "history": {"pending_payment": {"at": created, "by": principal.user_id}},
            "created_at": created, "updated_at": created, "expires_at": expires_at,
            "k_created": sort_key_time(created, order_id),
        })
    return orders


def abandon_checkout(checkout: dict | None, reason: str, order_status: str = "cancelled") -> bool:
    """Close a checkout that will never be paid: its orders, its reserved stock, its intent.
    `order_status` is `cancelled` (expired, cancelled, provider error) or `payment_failed`."""
    if checkout is None:
        return False
    claimed = db().checkouts.find_one_and_update(
        {"_id": checkout["_id"], "status": {"$in": ["reserving", "creating_payment", "pending_payment"]}},
        {"$set": {"status": reason, "closed_at": now()}})
    if claimed is None:
        return False  # someone else settled it first (a payment, or another sweep)
    at = now()
    changes = {"status": order_status, "updated_at": at, f"history.{order_status}": {"at": at, "by": "system"}}
    if order_status == "payment_failed":
        changes["payment_status"] = "failed"
    else:
        changes["cancel_reason"] = reason
    db().orders.update_many({"checkout_id": checkout["_id"], "status": "pending_payment"}, {"$set": changes})
    release_checkout(claimed)
    if claimed.get("payment_intent_id"):
        from smartgrocer.domain.payments import PaymentProviderError, gateway

        try:
            gateway().cancel(claimed["payment_intent_id"])
        except PaymentProviderError:
            pass  # an uncancelled intent can't be paid into a cancelled order: a late payment is refunded
    return True


# -- reading ---------------------------------------------------------------------------------------

def _visible_to(principal, order: dict) -> set[str]:
    relations = set()
    if order["user_id"] == principal.user_id:
        relations.add("buyer")
    if order["seller_id"] == principal.user_id:
        relations.add("seller")
    if principal.role == "admin":
        relations.add("admin")
    return relations


def get_order(principal, order_id: str) -> dict:
    order = db().orders.find_one({"_id": order_id})
    if not order or not _visible_to(principal, order):
        raise NotFound("No such order.")
    return public_order(order)


def list_orders(*, user_id: str | None = None, seller_id: str | None = None, status: str | None = None,
                limit: int = 20, cursor: str | None = None, kind: str) -> dict:
    query: dict = {}
    if user_id:
        query["user_id"] = user_id
    if seller_id:
        query["seller_id"] = seller_id
    if status:
        query["status"] = status
    after = decode_cursor(cursor, kind) if cursor else None
    docs, next_cursor = keyset_page(db().orders, query, "k_created", True, limit, after, kind)
    return {"items": [public_order(d) for d in docs], "next_cursor": next_cursor}


# -- lifecycle -------------------------------------------------------------------------------------

def change_status(principal, order_id: str, target: str) -> dict:
    order = db().orders.find_one({"_id": order_id})
    relations = _visible_to(principal, order) if order else set()
    if not relations:
        raise NotFound("No such order.")
    current = order["status"]
    if target == "cancelled":
        allowed = CANCELLABLE_BY.get(current, set()) & relations
    else:
        allowed = {"seller", "admin"} & relations if SELLER_FLOW.get(current) == target else set()
    if not allowed:
        raise Conflict(f"You cannot move an order that is {current.replace('_', ' ')} to "
                       f"{target.replace('_', ' ')}.", code="illegal_transition",
                       details={"from": current, "to": target})
    at = now()
    update = {"status": target, "updated_at": at, f"history.{target}": {"at": at, "by": principal.user_id}}
    if target == "cancelled":
        update["cancel_reason"] = f"cancelled_by_{sorted(allowed)[0]}"
        if order["payment_status"] == "paid":
            update["refund_pending"] = True
    updated = db().orders.find_one_and_update({"_id": order_id, "status": current}, {"$set": update},
                                              return_document=ReturnDocument.AFTER)
    if updated is None:  # another request moved it first
        raise Conflict("The order changed meanwhile; reload it and try again.", code="concurrent_update")
    if target == "cancelled":
        _after_cancel(updated, current)
        updated = db().orders.find_one({"_id": order_id})
    publish_safely("smartgrocer.orders", "OrderStatusChanged",
                   {"order_id": order_id, "status": target, "previous": current})
    return public_order(updated)


def _after_cancel(order: dict, previous: str) -> None:
    if previous == "pending_payment":
        checkout = db().checkouts.find_one({"_id": order["checkout_id"]})
        for item in order["items"]:
            release_stock(item["product_id"], item["quantity"], order["checkout_id"])
        siblings_open = db().orders.count_documents({"checkout_id": order["checkout_id"],
                                                     "status": "pending_payment"})
        if checkout and not siblings_open:
            abandon_checkout(checkout, reason="cancelled")
        return
    restock_order(order)
    if order.get("refund_pending"):
        refund_order(order)


def refund_order(order: dict) -> bool:
    """Refund a cancelled paid order; on provider failure it stays `refund_pending` for the sweep."""
    from smartgrocer.domain.payments import PaymentProviderError, gateway

    checkout = db().checkouts.find_one({"_id": order["checkout_id"]}, {"payment_intent_id": 1})
    try:
        refund_id = gateway().refund(checkout["payment_intent_id"], order["total_cents"], f"refund-{order['_id']}")
    except PaymentProviderError:
        return False
    db().orders.update_one({"_id": order["_id"], "refund_pending": True},
                           {"$set": {"payment_status": "refunded", "refund_pending": False, "refund_id": refund_id,
                                     "updated_at": now()}})
    return True
