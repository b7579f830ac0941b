"""Packing and capture over HTTP: the card is authorised at checkout (unit lines plus weighed lines with
the margin, per order), each seller packs what they have (short picks, unavailable lines, weighed lines
heavier or lighter, substitutes where the shopper allowed them), and the payment is captured once, for
what was packed, when the last order is packed or cancelled; or voided when nothing is left to charge.

Every scenario checks amounts in cents, the stock ledger of the products involved (`stock + held + sold
== received`, no hold left), the provider's PaymentIntent and the orders' public fields. Money and stock
that only the provider or the database can observe are read from MongoDB (orders_support)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import (
    assert_ledgers,
    cents,
    checkout_doc,
    clear_faults,
    db,
    deliver,
    deliver_queued,
    drain,
    event_for,
    ledger,
    line_for,
    mail,
    mail_text,
    order_doc,
    order_for,
    pack,
    packing,
    place_confirmed,
    product,
    provider_state,
    receipts,
    set_fault,
    set_status,
    subject,
    sweep,
    weighed_product,
)


def _order(api, account, order_id: str) -> dict:
    response = api.get(f"/api/orders/{order_id}", account)
    assert response.status_code == 200, response.text
    return response.json()


def _packed(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def _checkout(api, shopper, checkout_id: str) -> dict:
    response = api.get(f"/api/checkouts/{checkout_id}", shopper)
    assert response.status_code == 200, response.text
    return response.json()


def _money(order: dict) -> dict:
    """An order's public amounts, in cents."""
    return {
        key: cents(order[key]) for key in ("estimated_total", "authorized_amount", "total", "final_total", "released")
    }


def _frozen(placed: dict, *items) -> dict:
    """Everything a refused packing must leave as it was: the checkout, its orders, stock, the provider."""
    checkout = checkout_doc(placed["checkout_id"])
    return {
        "version": checkout["version"],
        "status": checkout["status"],
        "outbox": checkout.get("outbox"),
        "orders": {oid: (o["status"], o["final_cents"]) for oid, o in checkout["orders"].items()},
        "projections": {o["id"]: (order_doc(o["id"])["status"], order_doc(o["id"])["v"]) for o in placed["orders"]},
        "ledgers": {item["id"]: ledger(item["id"]) for item in items},
        "provider": provider_state(placed["checkout_id"]),
    }


def _stock(item: dict) -> tuple[int, int]:
    entry = ledger(item["id"])
    return entry["stock"], entry["sold"]


# -- authorisation -------------------------------------------------------------------------------------


def test_two_sellers_authorise_unit_plus_weighed_with_margin_per_order_and_capture_nothing(
    api, seller, other_seller, shopper
):
    apples = product(api, seller, price="2.50", stock=10)
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    bread = product(api, other_seller, price="3.10", stock=5)
    ham = weighed_product(api, other_seller, price="20.04", stock=3000)
    placed = place_confirmed(api, shopper, (apples, 3), (cheese, "350g"), (bread, 1), (ham, "250g"))

    # seller:       3 x 2.50 = 750; 350 g at 28.50/kg = 997.5 -> 998 (half-up); 750 + ceil(1097.8) = 1848
    # other seller: 1 x 3.10 = 310; 250 g at 20.04/kg = 501;                    310 + ceil(551.1)  = 862
    # One rounding over the whole checkout would give 1060 + ceil(1499 * 1.1 = 1648.9) = 2709, not 2710.
    assert cents(placed["payment"]["amount"]) == 2710
    assert cents(placed["payment"]["estimated_total"]) == 2559
    assert placed["payment"]["capture"] == "manual"
    assert checkout_doc(placed["checkout_id"])["amount_cents"] == 2710
    expected = [
        (seller, 750 + 998, 1848, {apples["id"]: 750, cheese["id"]: 998}),
        (other_seller, 310 + 501, 862, {bread["id"]: 310, ham["id"]: 501}),
    ]
    for account, estimate, authorised, lines in expected:
        order = _order(api, shopper, order_for(placed, account)["id"])
        assert order["status"] == "confirmed" and order["payment_status"] == "authorized"
        assert _money(order) == {
            "estimated_total": estimate,
            "authorized_amount": authorised,
            "total": estimate,
            "final_total": None,
            "released": None,
        }
        for product_id, line_cents in lines.items():
            line = line_for(order, product_id)
            assert cents(line["line_total"]) == line_cents
            assert line["packed_quantity"] is None and line["packed_weight_g"] is None
            assert line["substitute"] is None and line["final_total"] is None
        assert order["allowed_transitions"] == ["cancelled"]  # the shopper may still cancel; sellers pack
    cheese_line = line_for(order_for(placed, seller), cheese)
    assert (cheese_line["sold_by"], cheese_line["weight_g"], cheese_line["quantity"]) == ("weight", 350, None)
    assert cheese_line["unit_price"] == "28.50"

    # Authorised, nothing captured.
    assert provider_state(placed["checkout_id"]) == {
        "status": "requires_capture",
        "amount": 2710,
        "amount_capturable": 2710,
        "amount_received": 0,
        "amount_refunded": 0,
    }
    view = _checkout(api, shopper, placed["checkout_id"])
    assert (view["status"], cents(view["amount"]), view["captured"]) == ("authorized", 2710, None)
    assert (cents(view["estimated_total"]), view["payment"]) == (2559, None)

    # The stock is sold as ordered (grams for weighed products).
    assert [_stock(i) for i in (apples, cheese, bread, ham)] == [(7, 3), (4650, 350), (4, 1), (2750, 250)]
    assert_ledgers(apples, cheese, bread, ham)


# -- packing what there is -----------------------------------------------------------------------------


def test_short_pick_and_unavailable_line_put_stock_back_and_lower_the_final(api, seller, shopper):
    apples = product(api, seller, price="2.50", stock=10)
    yoghurt = product(api, seller, price="1.20", stock=6)
    placed = place_confirmed(api, shopper, (apples, 3), (yoghurt, 2))
    order = order_for(placed, seller)
    packed = _packed(
        pack(api, seller, order["id"], packing(line_for(order, apples), 1), packing(line_for(order, yoghurt), 0))
    )

    # Ordered 750 + 240 = 990 (authorised as is: no weighed line); packed 1 apple, no yoghurt: 250.
    assert packed["status"] == "packed"
    assert _money(packed) == {
        "estimated_total": 990,
        "authorized_amount": 990,
        "total": 250,
        "final_total": 250,
        "released": 740,
    }
    short, unavailable = line_for(packed, apples), line_for(packed, yoghurt)
    assert (short["quantity"], short["packed_quantity"], cents(short["final_total"])) == (3, 1, 250)
    assert (unavailable["quantity"], unavailable["packed_quantity"], cents(unavailable["final_total"])) == (2, 0, 0)
    assert short["substitute"] is None and unavailable["substitute"] is None
    # The shortfall is back on the shelf; only what was packed stays sold.
    assert _stock(apples) == (9, 1) and _stock(yoghurt) == (6, 0)
    # The only order is packed: the payment is captured, for the packed total only.
    assert provider_state(placed["checkout_id"]) == {
        "status": "succeeded",
        "amount": 990,
        "amount_capturable": 0,
        "amount_received": 250,
        "amount_refunded": 0,
    }
    shown = _order(api, shopper, order["id"])
    assert shown["payment_status"] == "captured" and shown["status"] == "packed"
    assert _money(shown) == _money(packed)
    assert cents(_checkout(api, shopper, placed["checkout_id"])["captured"]) == 250
    assert_ledgers(apples, yoghurt)


def test_weighed_lines_packed_heavier_and_lighter_charge_the_packed_weight(api, seller, shopper):
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    ham = weighed_product(api, seller, price="20.04", stock=3000)
    placed = place_confirmed(api, shopper, (cheese, "350g"), (ham, "250g"))
    order = order_for(placed, seller)
    packed = _packed(
        pack(api, seller, order["id"], packing(line_for(order, cheese), 370), packing(line_for(order, ham), 125))
    )

    # Estimated 998 + 501 = 1499, authorised ceil(1499 * 1.1 = 1648.9) = 1649.
    # Packed: 370 g at 28.50/kg = 1054.5 -> 1055 and 125 g at 20.04/kg = 250.5 -> 251 (half-up, not to even).
    heavier, lighter = line_for(packed, cheese), line_for(packed, ham)
    assert (heavier["weight_g"], heavier["packed_weight_g"], cents(heavier["final_total"])) == (350, 370, 1055)
    assert (lighter["weight_g"], lighter["packed_weight_g"], cents(lighter["final_total"])) == (250, 125, 251)
    assert heavier["packed_quantity"] is None and lighter["packed_quantity"] is None
    assert _money(packed) == {
        "estimated_total": 1499,
        "authorized_amount": 1649,
        "total": 1306,
        "final_total": 1306,
        "released": 343,
    }
    # Stock moves by the packed grams: 20 g more cheese taken, 125 g of ham back on the shelf.
    assert _stock(cheese) == (4630, 370) and _stock(ham) == (2875, 125)
    state = provider_state(placed["checkout_id"])
    assert (state["status"], state["amount"], state["amount_received"]) == ("succeeded", 1649, 1306)
    assert_ledgers(cheese, ham)


# -- substitutes ---------------------------------------------------------------------------------------


def test_substitutes_are_charged_the_lower_price_and_take_their_stock(api, seller, shopper):
    apples = product(api, seller, price="2.50", stock=10, name="Gala apples")
    pears = product(api, seller, price="2.00", stock=5, name="Conference pears")  # cheaper
    milk = product(api, seller, price="1.50", stock=10, name="Whole milk")
    oat = product(api, seller, price="1.90", stock=5, name="Oat drink")  # dearer
    cheese = weighed_product(api, seller, price="28.50", stock=5000, name="Cheddar")
    comte = weighed_product(api, seller, price="32.00", stock=2000, name="Comte")  # dearer, by weight
    similar = {"substitution": "similar"}
    placed = place_confirmed(
        api,
        shopper,
        (apples, {"quantity": 3, **similar}),
        (milk, {"quantity": 2, **similar}),
        (cheese, {"weight_g": 350, **similar}),
    )
    order = order_for(placed, seller)
    packed = _packed(
        pack(
            api,
            seller,
            order["id"],
            packing(line_for(order, apples), 1, (pears, 2)),
            packing(line_for(order, milk), 0, (oat, 2)),
            # 250 g missing: a weighed substitute may make up to ceil(250 * 1.1) = 275 g of it
            packing(line_for(order, cheese), 100, (comte, 275)),
        )
    )

    # apples: 1 x 2.50 + 2 pears at their own 2.00          = 250 + 400 = 650
    # milk:   0        + 2 oat drinks at milk's 1.50         =   0 + 300 = 300
    # cheese: 100 g at 28.50/kg = 285 + 275 g comte at 28.50/kg = 783.75 -> 784:  1069
    # estimated 750 + 300 + 998 = 2048; authorised 1050 + ceil(1097.8) = 2148; final 2019; released 129
    assert _money(packed) == {
        "estimated_total": 2048,
        "authorized_amount": 2148,
        "total": 2019,
        "final_total": 2019,
        "released": 129,
    }
    rows = {p: line_for(packed, p) for p in (apples["id"], milk["id"], cheese["id"])}
    assert rows[apples["id"]]["substitute"] == {
        "product_id": pears["id"],
        "name": "Conference pears",
        "unit": pears["unit"],
        "unit_price": "2.00",
        "quantity": 2,
        "weight_g": None,
        "line_total": "4.00",
    }
    assert (rows[apples["id"]]["packed_quantity"], cents(rows[apples["id"]]["final_total"])) == (1, 650)
    assert rows[milk["id"]]["substitute"]["unit_price"] == "1.50"  # never more than the original
    assert (cents(rows[milk["id"]]["substitute"]["line_total"]), cents(rows[milk["id"]]["final_total"])) == (300, 300)
    cheese_sub = rows[cheese["id"]]["substitute"]
    assert (cheese_sub["product_id"], cheese_sub["weight_g"], cheese_sub["quantity"]) == (comte["id"], 275, None)
    assert (cheese_sub["unit_price"], cents(cheese_sub["line_total"])) == ("28.50", 784)
    assert (rows[cheese["id"]]["packed_weight_g"], cents(rows[cheese["id"]]["final_total"])) == (100, 1069)

    # Substitutes' stock is sold, what was not packed of the originals is back.
    assert _stock(apples) == (9, 1) and _stock(pears) == (3, 2)
    assert _stock(milk) == (10, 0) and _stock(oat) == (3, 2)
    assert _stock(cheese) == (4900, 100) and _stock(comte) == (1725, 275)
    state = provider_state(placed["checkout_id"])
    assert (state["status"], state["amount"], state["amount_received"]) == ("succeeded", 2148, 2019)
    assert_ledgers(apples, pears, milk, oat, cheese, comte)

    # The receipt lists each line as ordered, packed and substituted, and what was charged and released.
    drain(api)
    (receipt,) = receipts(api, shopper.email)
    text = mail_text(receipt)
    for fragment in (
        "Gala apples: ordered 3 x, packed 1 x, substituted with 2 x Conference pears, charged 6.50 USD",
        "Whole milk: ordered 2 x, packed 0 x, substituted with 2 x Oat drink, charged 3.00 USD",
        "Cheddar: ordered 350 g, packed 100 g, substituted with 275 g Comte, charged 10.69 USD",
        "Total charged: 20.19 USD",
        "Released from the hold on your card: 1.29 USD",
    ):
        assert fragment in text, (fragment, text)


def test_substitutes_race_for_the_last_unit_one_packing_wins(api, seller, unique_email):
    apples = product(api, seller, price="2.50", stock=10)
    pears = product(api, seller, price="2.00", stock=1)
    shoppers = [api.signup(unique_email("racer")) for _ in range(2)]
    placed = [place_confirmed(api, s, (apples, {"quantity": 2, "substitution": "similar"})) for s in shoppers]
    orders = [order_for(p, seller) for p in placed]

    def attempt(order):
        return pack(api, seller, order["id"], packing(line_for(order, apples), 1, (pears, 1))).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(attempt, orders))
    assert statuses == [200, 409], statuses
    assert _stock(pears) == (0, 1)
    loser = next(o for o in orders if order_doc(o["id"])["status"] == "confirmed")
    assert _stock(apples) == (10 - 4 + 1, 3)  # the winner's missing apple is back; the loser's order stands
    _packed(pack(api, seller, loser["id"], packing(line_for(loser, apples), 2)))
    assert _stock(apples) == (10 - 3, 3) and _stock(pears) == (0, 1)
    assert_ledgers(apples, pears)


@pytest.mark.parametrize(
    "case",
    [
        "substitution_none",
        "other_sellers_product",
        "everything_packed",
        "more_than_missing",
        "same_product",
        "sold_differently",
        "withdrawn_product",
    ],
)
def test_substitutes_that_do_not_fit_are_422_and_change_nothing(api, seller, other_seller, shopper, case):
    apples = product(api, seller, price="2.50", stock=10)
    bread = product(api, seller, price="3.10", stock=10)
    pears = product(api, seller, price="2.00", stock=5)
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    foreign = product(api, other_seller, price="1.00", stock=5)
    withdrawn = product(api, seller, price="1.00", stock=5)
    assert api.delete(f"/api/products/{withdrawn['id']}", seller).status_code in (200, 204)
    placed = place_confirmed(
        api, shopper, (apples, {"quantity": 3, "substitution": "similar"}), (bread, 1), (cheese, "350g")
    )
    order = order_for(placed, seller)
    lines = {p: line_for(order, p) for p in (apples["id"], bread["id"], cheese["id"])}
    fine = {pid: packing(line, line["weight_g"] or line["quantity"]) for pid, line in lines.items()}
    bad = {
        "substitution_none": (bread["id"], packing(lines[bread["id"]], 0, (pears, 1))),
        "other_sellers_product": (apples["id"], packing(lines[apples["id"]], 1, (foreign, 2))),
        "everything_packed": (apples["id"], packing(lines[apples["id"]], 3, (pears, 1))),
        "more_than_missing": (apples["id"], packing(lines[apples["id"]], 1, (pears, 3))),
        "same_product": (apples["id"], packing(lines[apples["id"]], 1, (apples, 2))),
        "sold_differently": (apples["id"], packing(lines[apples["id"]], 1, (cheese, 2))),
        "withdrawn_product": (apples["id"], packing(lines[apples["id"]], 1, (withdrawn, 2))),
    }[case]
    body = [bad[1] if pid == bad[0] else entry for pid, entry in fine.items()]
    before = _frozen(placed, apples, bread, pears, cheese, foreign, withdrawn)

    error = assert_error(pack(api, seller, order["id"], *body), 422, "invalid_packing")
    assert [d["line_id"] for d in error["details"]] == [lines[bad[0]]["line_id"]], error
    assert _frozen(placed, apples, bread, pears, cheese, foreign, withdrawn) == before
    assert _order(api, seller, order["id"])["status"] == "confirmed"
    assert_ledgers(apples, bread, pears, cheese, foreign, withdrawn)


def test_substitute_out_of_stock_is_409_and_nothing_moves(api, seller, shopper):
    apples = product(api, seller, price="2.50", stock=10)
    pears = product(api, seller, price="2.00", stock=1)
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    placed = place_confirmed(api, shopper, (apples, {"quantity": 3, "substitution": "similar"}), (cheese, "350g"))
    order = order_for(placed, seller)
    apple_line, cheese_line = line_for(order, apples), line_for(order, cheese)
    before = _frozen(placed, apples, pears, cheese)

    # Two pears wanted, one on the shelf; the extra 30 g of cheese this packing also takes goes back too.
    response = pack(api, seller, order["id"], packing(apple_line, 1, (pears, 2)), packing(cheese_line, 380))
    error = assert_error(response, 409, "out_of_stock")
    assert error["details"][0]["product_id"] == pears["id"] and error["details"][0]["available"] == 1
    assert _frozen(placed, apples, pears, cheese) == before
    shown = _order(api, seller, order["id"])
    assert shown["status"] == "confirmed" and shown["final_total"] is None and shown["released"] is None
    assert provider_state(placed["checkout_id"])["status"] == "requires_capture"
    assert_ledgers(apples, pears, cheese)

    # The same packing with the one pear there is goes through.
    packed = _packed(pack(api, seller, order["id"], packing(apple_line, 1, (pears, 1)), packing(cheese_line, 380)))
    # 250 + 200 + 380 g at 28.50/kg = 1083; authorised 750 + ceil(1097.8) = 1848
    assert (cents(packed["final_total"]), cents(packed["released"])) == (1533, 315)
    assert _stock(pears) == (0, 1) and _stock(apples) == (9, 1) and _stock(cheese) == (4620, 380)
    assert provider_state(placed["checkout_id"])["amount_received"] == 1533
    assert_ledgers(apples, pears, cheese)


def test_packed_total_above_the_authorisation_is_422_and_changes_nothing(api, seller, shopper):
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    placed = place_confirmed(api, shopper, (cheese, "350g"))
    order = order_for(placed, seller)
    line = line_for(order, cheese)
    before = _frozen(placed, cheese)
    # Authorised ceil(998 * 1.1) = 1098: 386 g cost 1100.1 -> 1100, above it.
    error = assert_error(pack(api, seller, order["id"], packing(line, 386)), 422, "over_authorization")
    assert error["details"] == {"final_total": "11.00", "authorized": "10.98"}
    assert _frozen(placed, cheese) == before
    assert_ledgers(cheese)
    # 385 g cost 1097.25 -> 1097: within it.
    packed = _packed(pack(api, seller, order["id"], packing(line, 385)))
    assert (cents(packed["final_total"]), cents(packed["released"])) == (1097, 1)
    assert _stock(cheese) == (4615, 385)
    assert provider_state(placed["checkout_id"])["amount_received"] == 1097
    assert_ledgers(cheese)


# -- capture and void ----------------------------------------------------------------------------------


def test_capture_happens_exactly_once_when_the_last_seller_packs(runtime, api, seller, other_seller, shopper):
    apples = product(api, seller, price="2.50", stock=10)
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    bread = product(api, other_seller, price="3.10", stock=5)
    placed = place_confirmed(api, shopper, (apples, 2), (cheese, "350g"), (bread, 1))
    checkout_id = placed["checkout_id"]
    first, last = order_for(placed, seller), order_for(placed, other_seller)

    # The first seller packs: 500 + 360 g at 28.50/kg = 1026 -> 1526 of 500 + 1098 = 1598 authorised.
    packed = _packed(
        pack(api, seller, first["id"], packing(line_for(first, apples), 2), packing(line_for(first, cheese), 360))
    )
    assert packed["payment_status"] == "authorized"
    assert (cents(packed["final_total"]), cents(packed["released"])) == (1526, 72)
    assert checkout_doc(checkout_id)["status"] == "authorized"
    assert provider_state(checkout_id) == {
        "status": "requires_capture",
        "amount": 1598 + 310,
        "amount_capturable": 1908,
        "amount_received": 0,
        "amount_refunded": 0,
    }

    # The last one packs: the sum of the final totals is captured.
    _packed(pack(api, other_seller, last["id"]))
    settled = provider_state(checkout_id)
    assert settled == {
        "status": "succeeded",
        "amount": 1908,
        "amount_capturable": 0,
        "amount_received": 1526 + 310,
        "amount_refunded": 0,
    }
    view = _checkout(api, shopper, checkout_id)
    assert (view["status"], cents(view["captured"])) == ("captured", 1836)
    for order in view["orders"]:
        assert (order["status"], order["payment_status"]) == ("packed", "captured")
    assert {o["id"]: cents(o["final_total"]) for o in view["orders"]} == {first["id"]: 1526, last["id"]: 310}

    def unchanged():
        doc = checkout_doc(checkout_id)
        return (
            doc["version"],
            doc["status"],
            doc["capture"]["amount_cents"],
            doc.get("outbox"),
            provider_state(checkout_id),
        )

    after_capture = unchanged()
    assert after_capture[1:4] == ("captured", 1836, {})

    # Packing again is refused, for either order.
    for account, order in ((seller, first), (other_seller, last)):
        assert_error(pack(api, account, order["id"]), 409, "illegal_transition")
    # The reconciler finds nothing more to capture.
    sweep()
    assert unchanged() == after_capture
    # The provider's webhooks, delivered now, and again (the same event), and a fresh copy: nothing changes.
    deliver_queued(api)
    assert unchanged() == after_capture
    succeeded = list(
        db().local_payment_webhooks.find(
            {"payment_intent": checkout_doc(checkout_id)["payment_intent_id"], "type": "payment_intent.succeeded"}
        )
    )
    assert len(succeeded) == 1 and succeeded[0]["delivered"], succeeded  # one capture, one event
    status, answer = deliver(runtime, succeeded[0]["payload"])
    assert (status, answer.get("duplicate")) == (200, True), answer
    status, answer = deliver(runtime, event_for(checkout_id, "payment_intent.succeeded"))
    assert (status, answer.get("outcome")) == (200, "already_settled"), answer
    assert unchanged() == after_capture
    drain(api)
    assert len(receipts(api, shopper.email)) == 1
    assert _stock(apples) == (8, 2) and _stock(cheese) == (4640, 360) and _stock(bread) == (4, 1)
    assert_ledgers(apples, cheese, bread)


def test_sellers_packing_at_the_same_moment_capture_once(api, seller, other_seller, shopper):
    apples = product(api, seller, price="2.50", stock=20)
    bread = product(api, other_seller, price="3.10", stock=20)
    for _ in range(3):
        placed = place_confirmed(api, shopper, (apples, 1), (bread, 1))
        jobs = [(seller, order_for(placed, seller)["id"]), (other_seller, order_for(placed, other_seller)["id"])]
        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(lambda job: pack(api, job[0], job[1]).status_code, jobs))
        assert statuses == [200, 200], statuses
        assert provider_state(placed["checkout_id"]) == {
            "status": "succeeded",
            "amount": 560,
            "amount_capturable": 0,
            "amount_received": 560,
            "amount_refunded": 0,
        }
        assert checkout_doc(placed["checkout_id"])["capture"]["amount_cents"] == 560
    assert _stock(apples) == (17, 3) and _stock(bread) == (17, 3)
    assert_ledgers(apples, bread)


@pytest.fixture
def clean_faults(runtime):
    clear_faults()
    yield
    clear_faults()


def test_capture_failing_at_the_provider_is_retried_by_the_reconciler_once(api, seller, shopper, clean_faults):
    apples = product(api, seller, price="2.50", stock=10)
    placed = place_confirmed(api, shopper, (apples, 3))
    checkout_id = placed["checkout_id"]
    order = order_for(placed, seller)
    set_fault("capture", 1)
    packed = _packed(pack(api, seller, order["id"], packing(line_for(order, apples), 2)))
    # Packed and recorded; the capture waits in the outbox.
    assert (packed["status"], packed["payment_status"], cents(packed["final_total"])) == ("packed", "authorized", 500)
    assert checkout_doc(checkout_id)["status"] == "capturing"
    assert provider_state(checkout_id)["status"] == "requires_capture"
    report = sweep()
    assert report["effects_applied"] >= 1, report
    assert provider_state(checkout_id) == {
        "status": "succeeded",
        "amount": 750,
        "amount_capturable": 0,
        "amount_received": 500,
        "amount_refunded": 0,
    }
    doc = checkout_doc(checkout_id)
    assert (doc["status"], doc["outbox"]) == ("captured", {})
    assert _order(api, shopper, order["id"])["payment_status"] == "captured"
    sweep()
    deliver_queued(api)
    assert checkout_doc(checkout_id)["version"] == doc["version"]
    assert provider_state(checkout_id)["amount_received"] == 500
    assert _stock(apples) == (8, 2)
    assert_ledgers(apples)


def test_every_order_cancelled_voids_the_authorisation(api, seller, other_seller, shopper):
    apples = product(api, seller, price="2.50", stock=10)
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    bread = product(api, other_seller, price="3.10", stock=5)
    placed = place_confirmed(api, shopper, (apples, 2), (cheese, "350g"), (bread, 1))
    checkout_id = placed["checkout_id"]
    first, second = order_for(placed, seller), order_for(placed, other_seller)

    assert set_status(api, seller, first["id"], "cancelled").status_code == 200
    assert checkout_doc(checkout_id)["status"] == "authorized"  # the other order may still be packed
    assert provider_state(checkout_id)["status"] == "requires_capture"
    assert set_status(api, shopper, second["id"], "cancelled").status_code == 200

    assert provider_state(checkout_id) == {
        "status": "canceled",
        "amount": 1598 + 310,
        "amount_capturable": 0,
        "amount_received": 0,
        "amount_refunded": 0,
    }
    view = _checkout(api, shopper, checkout_id)
    assert (view["status"], view["captured"]) == ("voided", None)
    authorised = {first["id"]: 1598, second["id"]: 310}
    for order in view["orders"]:
        assert (order["status"], order["payment_status"]) == ("cancelled", "voided")
        assert cents(order["released"]) == cents(order["authorized_amount"]) == authorised[order["id"]]
        assert order["final_total"] is None
    # Everything is back on the shelf; nothing is sold.
    assert _stock(apples) == (10, 0) and _stock(cheese) == (5000, 0) and _stock(bread) == (5, 0)
    assert_error(pack(api, seller, first["id"]), 409, "illegal_transition")
    assert_ledgers(apples, cheese, bread)


@pytest.mark.parametrize("first_step", ["cancel_then_pack", "pack_then_cancel"])
def test_one_order_cancelled_one_packed_captures_only_the_packed_one(api, seller, other_seller, shopper, first_step):
    apples = product(api, seller, price="2.50", stock=10)
    bread = product(api, other_seller, price="3.10", stock=5)
    ham = weighed_product(api, other_seller, price="20.04", stock=3000)
    placed = place_confirmed(api, shopper, (apples, 2), (bread, 2), (ham, "250g"))
    checkout_id = placed["checkout_id"]
    cancelled, kept = order_for(placed, seller), order_for(placed, other_seller)

    def cancel():
        assert set_status(api, shopper, cancelled["id"], "cancelled").status_code == 200

    def pack_kept():
        # one loaf of two, 240 g of ham (240 x 20.04 / 1000 = 480.96 -> 481): 310 + 481 = 791
        _packed(
            pack(api, other_seller, kept["id"], packing(line_for(kept, bread), 1), packing(line_for(kept, ham), 240))
        )

    steps = (cancel, pack_kept) if first_step == "cancel_then_pack" else (pack_kept, cancel)
    steps[0]()
    assert provider_state(checkout_id)["status"] == "requires_capture"
    steps[1]()

    # Authorised 500 + (620 + ceil(501 * 1.1)) = 500 + 1172; captured: the packed order only.
    assert provider_state(checkout_id) == {
        "status": "succeeded",
        "amount": 1672,
        "amount_capturable": 0,
        "amount_received": 791,
        "amount_refunded": 0,
    }
    gone, charged = _order(api, shopper, cancelled["id"]), _order(api, shopper, kept["id"])
    assert (gone["status"], gone["payment_status"], cents(gone["released"])) == ("cancelled", "voided", 500)
    assert (charged["status"], charged["payment_status"]) == ("packed", "captured")
    assert (cents(charged["final_total"]), cents(charged["released"])) == (791, 1172 - 791)
    assert cents(_checkout(api, shopper, checkout_id)["captured"]) == 791
    assert _stock(apples) == (10, 0) and _stock(bread) == (4, 1) and _stock(ham) == (2760, 240)
    assert_ledgers(apples, bread, ham)


def test_capture_deadline_cancels_what_is_not_packed_and_captures_the_rest(api, seller, other_seller, shopper):
    from smartgrocer.domain.orders import now
    from smartgrocer.domain.reconciler import reconcile

    apples = product(api, seller, price="2.50", stock=10)
    bread = product(api, other_seller, price="3.10", stock=5)
    cheese = weighed_product(api, other_seller, price="28.50", stock=5000)
    placed = place_confirmed(api, shopper, (apples, 2), (bread, 1), (cheese, "350g"))
    checkout_id = placed["checkout_id"]
    packed_order, late = order_for(placed, seller), order_for(placed, other_seller)
    _packed(pack(api, seller, packed_order["id"]))  # as ordered: 500

    # Nothing happens before the deadline ...
    sweep()
    assert checkout_doc(checkout_id)["status"] == "authorized"
    # ... six days and a minute later, the hold is about to age out.
    report = reconcile(at=now() + timedelta(days=6, minutes=1), outbox_grace=0)
    assert report["captured_at_deadline"] >= 1, report

    stored = order_doc(late["id"])
    assert (stored["status"], stored["cancel_reason"], stored["payment_status"]) == (
        "cancelled",
        "not_packed_in_time",
        "voided",
    )
    assert order_doc(packed_order["id"])["payment_status"] == "captured"
    assert provider_state(checkout_id) == {
        "status": "succeeded",
        "amount": 500 + 310 + 1098,
        "amount_capturable": 0,
        "amount_received": 500,
        "amount_refunded": 0,
    }
    shown = _order(api, shopper, late["id"])
    assert (shown["status"], shown["payment_status"], cents(shown["released"])) == ("cancelled", "voided", 1408)
    assert _stock(bread) == (5, 0) and _stock(cheese) == (5000, 0) and _stock(apples) == (8, 2)
    assert_error(pack(api, other_seller, late["id"]), 409, "illegal_transition")
    assert_ledgers(apples, bread, cheese)

    # The shopper is told: the late order was cancelled, and the receipt says what was charged.
    drain(api)
    (cancelled,) = mail(api, shopper.email, subject(late, "cancelled"))
    assert "Nothing was charged for it" in mail_text(cancelled)
    # ... and so is the seller who did not pack it in time, once
    (to_seller,) = mail(api, other_seller.email, subject(late, "cancelled"))
    assert "not packed in time" in mail_text(to_seller) and late["number"] in mail_text(to_seller)
    (receipt,) = receipts(api, shopper.email)
    text = mail_text(receipt)
    assert "cancelled, nothing charged" in text and "Total charged: 5.00 USD" in text, text
    assert "Released from the hold on your card: 14.08 USD" in text, text


# -- who may pack, and what a packing list must be -----------------------------------------------------


def test_only_the_orders_seller_packs_it(api, seller, other_seller, shopper):
    apples = product(api, seller, price="2.50", stock=10)
    placed = place_confirmed(api, shopper, (apples, 2))
    order = order_for(placed, seller)
    line = packing(line_for(order, apples), 2)
    before = _frozen(placed, apples)
    assert_error(pack(api, shopper, order["id"], line), 403)  # the route is for sellers (wrong_role)
    assert_error(pack(api, other_seller, order["id"], line), 404)
    assert_error(pack(api, seller, "0" * 24, line), 404)
    assert_error(api.post(f"/api/orders/{order['id']}/pack", json={"lines": [line]}), 401)
    assert _frozen(placed, apples) == before

    _packed(pack(api, seller, order["id"], line))
    after = _frozen(placed, apples)
    assert_error(pack(api, seller, order["id"], line), 409, "illegal_transition")  # packed once
    assert _frozen(placed, apples) == after
    assert_ledgers(apples)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"lines": []},
        {"lines": [{"line_id": "1"}]},  # no amount
        {"lines": [{"line_id": "1", "packed_quantity": "2"}]},  # strict integers
        {"lines": [{"line_id": "1", "packed_quantity": 2.0}]},
        {"lines": [{"line_id": "1", "packed_quantity": -1}]},
        {"lines": [{"line_id": "1", "packed_quantity": 1, "packed_weight_g": 100}]},  # both
        {"lines": [{"line_id": "1", "packed_quantity": 1, "substitute": {"product_id": "x"}}]},
        {"lines": [{"line_id": "1", "packed_quantity": 1, "colour": "red"}]},
        {"lines": [{"line_id": "", "packed_quantity": 1}]},
        "not a packing list",
    ],
)
def test_malformed_packing_body_is_422(api, seller, shopper, body):
    apples = product(api, seller, price="2.50", stock=10)
    placed = place_confirmed(api, shopper, (apples, 2))
    order = order_for(placed, seller)
    before = _frozen(placed, apples)
    response = api.post(f"/api/orders/{order['id']}/pack", seller, json=body)
    assert_error(response, 422)
    assert _frozen(placed, apples) == before
    assert_ledgers(apples)


@pytest.mark.parametrize(
    "case",
    ["unknown_line", "missing_line", "listed_twice", "more_than_ordered", "weight_on_a_unit_line", "grams_too_many"],
)
def test_packing_list_that_does_not_fit_the_order_is_422(api, seller, shopper, case):
    apples = product(api, seller, price="2.50", stock=10)
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    placed = place_confirmed(api, shopper, (apples, 2), (cheese, "350g"))
    order = order_for(placed, seller)
    apple, weighed = line_for(order, apples), line_for(order, cheese)
    good = [packing(apple, 2), packing(weighed, 350)]
    body, line_id = {
        "unknown_line": ([*good, {"line_id": "99", "packed_quantity": 1}], "99"),
        "missing_line": ([packing(apple, 2)], weighed["line_id"]),
        "listed_twice": ([*good, packing(apple, 1)], apple["line_id"]),
        "more_than_ordered": ([packing(apple, 3), good[1]], apple["line_id"]),
        "weight_on_a_unit_line": ([{"line_id": apple["line_id"], "packed_weight_g": 200}, good[1]], apple["line_id"]),
        "grams_too_many": ([good[0], packing(weighed, 100_001)], None),  # the model's limit: a plain 422
    }[case]
    before = _frozen(placed, apples, cheese)
    response = pack(api, seller, order["id"], *body)
    if line_id is None:
        assert_error(response, 422)
    else:
        error = assert_error(response, 422, "invalid_packing")
        assert line_id in [d["line_id"] for d in error["details"]], error
    assert _frozen(placed, apples, cheese) == before
    assert_ledgers(apples, cheese)
