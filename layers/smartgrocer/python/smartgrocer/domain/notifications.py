"""Email notifications, sent by the notifier function from order and account events.

Runs asynchronously (EventBridge -> notifier), so a slow or failing mail service never fails a
checkout or a status change; a failure here raises, and the event is retried by the platform."""

from __future__ import annotations

from html import escape
from typing import Protocol

from smartgrocer.domain import ports
from smartgrocer.domain.checkout_ports import OrderRepository
from smartgrocer.domain.counts import items_label
from smartgrocer.money import format_amount


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str: ...


class SentNotifications(Protocol):
    """Which order events were mailed already. Events come from the checkout's outbox, which may apply
    an effect twice (a crash, or two requests applying the same pending effects), and the event bus
    delivers at least once: the event's key makes the mail go out once."""

    def claim(self, event_key: str, lease_seconds: float) -> bool:
        """True if this delivery may send: nobody sent it, and nobody is sending it right now (a
        sender that died is taken over when its lease ends)."""

    def sent(self, event_key: str) -> None: ...


def mailer() -> Mailer:
    return ports.resolve(Mailer)


def _user(user_id: str) -> dict | None:
    from smartgrocer.domain.accounts import UserRepository

    return ports.resolve(UserRepository).by_id(user_id, ("email", "full_name"))


def _order(order_id: str) -> dict | None:
    return ports.resolve(OrderRepository).get(order_id)


STATUS_NOTES = {  # what the shopper's mail says and its subject (after the number), per status
    "out_for_delivery": ("on its way", "Your order is out for delivery."),
    "delivered": ("delivered", "Your order was delivered. Enjoy!"),
    "cancelled": ("cancelled", "Your order was cancelled."),
}
CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}
# Why an order was cancelled, as its seller reads it (`cancel_reason`); the seller's own cancellation
# sends them nothing.
CANCELLED_BECAUSE = {
    "cancelled_by_buyer": "The shopper cancelled it.",
    "cancelled_by_admin": "SmartGrocer support cancelled it.",
    "not_packed_in_time": "It was not packed in time, so it was cancelled and its hold on the card released.",
    "payment_authorization_lost": "The hold on the shopper's card was lost, so it cannot be charged.",
}


def _money(cents: int, currency: str) -> str:
    return f"{format_amount(cents)} {currency.upper()}"


def _price(cents: int, currency: str) -> str:
    """ "$12.34" for a subject line; "12.34 CHF" for a currency without a symbol here."""
    symbol = CURRENCY_SYMBOLS.get(currency.lower())
    return f"{symbol}{format_amount(cents)}" if symbol else _money(cents, currency)


def _number(order: dict) -> str:
    return order.get("number") or order["_id"]  # every order has a number once the backfill ran


def order_link(order: dict) -> str:
    """The order's page in the SPA, on `SITE_URL` (relative where it is not set, as locally)."""
    from smartgrocer import settings

    return f"{settings.SITE_URL.rstrip('/')}/orders/{order['_id']}"


def format_address(address: dict) -> str:
    """ "Ada Lovelace, 1 Main St, Flat 2, Springfield 12345, US".
    (The address book brings the shared `addresses.format_address`; this stays until it does.)"""
    parts = [address.get("full_name"), address.get("line1"), address.get("line2")]
    place = " ".join(p for p in (address.get("city"), address.get("postal_code")) if p)
    return ", ".join(p for p in (*parts, place, address.get("country")) if p)


def _amount(item: dict) -> str:
    """ "2 x" for unit lines, "750 g" for weighed ones."""
    if item.get("sold_by") == "weight":
        return f"{item['weight_g']} g"
    return f"{item['quantity']} x"


def _line_text(item: dict, currency: str) -> str:
    text = f"{_amount(item)} {item['name']} ({item['unit']}): {_money(item['line_total_cents'], currency)}"
    return text + (" (estimate; the final price follows the packed weight)" if item.get("sold_by") == "weight" else "")


def _receipt_line_text(item: dict, currency: str) -> str:
    """Ordered vs packed vs substituted, and what the line costs."""
    packed, sub = item.get("packed") or {}, item.get("substitute")
    ordered = _amount(item)
    packed_amount = _amount({**item, **packed})
    parts = [f"{item['name']}: ordered {ordered}, packed {packed_amount}"]
    if sub:
        parts.append(f"substituted with {_amount({**sub, 'sold_by': item.get('sold_by')})} {sub['name']}")
    parts.append(f"charged {_money(item.get('final_cents') or 0, currency)}")
    return ", ".join(parts)


def _lines(order: dict, receipt: bool = False) -> tuple[str, str]:
    render = _receipt_line_text if receipt else _line_text
    rows = [render(i, order["currency"]) for i in order["items"]]
    text = "\n".join(f"  {row}" for row in rows)
    html = "".join(f"<li>{escape(row)}</li>" for row in rows)
    return text, f"<ul>{html}</ul>"


def _where_and_when(order: dict) -> list[str]:
    """The window (if the seller delivers in windows) and where the groceries go: the delivery address,
    or the pickup place."""
    chosen = order.get("fulfilment")
    if chosen and chosen.get("method") == "pickup":
        place = f" at {chosen['address']}" if chosen.get("address") else ""
        return [f"Pickup: {chosen['label']}{place}"]
    rows = [f"Delivery: {chosen['label']}"] if chosen else []
    address = format_address(order.get("shipping_address") or {})
    return rows + ([f"Deliver to: {address}"] if address else [])


def _order_block(order: dict) -> tuple[str, str]:
    """What every mail about an order shows: its number and item count, its lines, fee, window, address,
    total and a link to its page."""
    text_lines, html_lines = _lines(order)
    heading = f"Order {_number(order)} from {order.get('seller_name') or 'your seller'} ({items_label(order['items'])})"
    total = _money(order["total_cents"], order["currency"])
    extra = [f"Delivery fee: {_money(order['fee_cents'], order['currency'])}"] if order.get("fee_cents") else []
    extra += _where_and_when(order)
    link = order_link(order)
    text = f"{heading}:\n{text_lines}" + "".join(f"\n  {line}" for line in extra) + f"\n  Total: {total}"
    text += f"\n\nSee the order: {link}"
    html = f"<p><strong>{escape(heading)}</strong></p>{html_lines}"
    html += "".join(f"<p>{escape(line)}</p>" for line in extra)
    html += f"<p>Total: <strong>{total}</strong></p>"
    html += f'<p><a href="{escape(link)}">See order {escape(_number(order))}</a></p>'
    return text, html


def _message(greeting: str, paragraphs: list[str], order: dict | None = None) -> tuple[str, str]:
    block_text, block_html = _order_block(order) if order else ("", "")
    text = f"{greeting}\n\n" + "\n\n".join(paragraphs) + (f"\n\n{block_text}" if block_text else "")
    html = f"<p>{escape(greeting)}</p>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + block_html
    return text, html


def _receipt(greeting: str, orders: list[dict]) -> tuple[str, str]:
    """The final receipt of a checkout: per seller, each line ordered, packed, substituted, charged,
    then what was charged and what of the authorisation was released."""
    currency = orders[0]["currency"]
    text_parts, html_parts = [greeting, "Your sellers have packed your groceries. Here is what you were charged."], []
    html_parts.append(f"<p>{escape(greeting)}</p><p>{escape(text_parts[1])}</p>")
    charged = released = 0
    for order in orders:
        number, link = _number(order), order_link(order)
        if order["status"] == "cancelled":
            note = f"{order['seller_name']} (order {number}): cancelled, nothing charged."
            text_parts.append(note)
            html_parts.append(f"<p>{escape(note)}</p>")
        else:
            text_lines, html_lines = _lines(order, receipt=True)
            final = order.get("final_cents") or 0
            charged += final
            where = "".join(f"\n  {line}" for line in _where_and_when(order))
            text_parts.append(
                f"{order['seller_name']} (order {number}, {items_label(order['items'])}):\n{text_lines}\n"
                f"  Charged: {_money(final, currency)}{where}\n  See the order: {link}"
            )
            charge = _money(final, currency)
            html_parts.append(
                f"<h3>{escape(order['seller_name'])}: order {escape(number)}</h3>{html_lines}"
                f"<p>Charged: <strong>{charge}</strong></p>"
                + "".join(f"<p>{escape(line)}</p>" for line in _where_and_when(order))
                + f'<p><a href="{escape(link)}">See order {escape(number)}</a></p>'
            )
        released += order.get("released_cents") or 0
    summary = (
        f"Total charged: {_money(charged, currency)}. "
        f"Released from the hold on your card: {_money(released, currency)}."
    )
    text_parts.append(summary)
    html_parts.append(f"<p>{escape(summary)}</p>")
    return "\n\n".join(text_parts), "".join(html_parts)


RESET_SUBJECT = "Choose a new SmartGrocer password"
RESET_DEACTIVATED_SUBJECT = "Your SmartGrocer account is deactivated"


def _password_reset_mail(detail: dict) -> list[tuple[str, str, str, str]]:
    """A link for an active account; for a deactivated one, how to reach support (a reset never reopens
    it); nothing for an address without an account."""
    from smartgrocer.domain.auth import deactivated_message
    from smartgrocer.domain.passwords import reset_mail

    email = str(detail.get("email") or "")
    found = reset_mail(email, str(detail.get("site") or ""))
    if found is None:
        return []
    kind, link = found
    if kind == "deactivated":
        text, html = _message(
            "Hello,",
            ["Someone asked to reset the password of your SmartGrocer account.", deactivated_message()],
        )
        return [(email, RESET_DEACTIVATED_SUBJECT, text, html)]
    intro = "Someone (we hope you) asked to reset the password of your SmartGrocer account."
    ignore = "If it was not you, ignore this mail: your password stays as it is."
    after = "The link works once, for 30 minutes. Choosing a new password signs you out everywhere."
    text = f"Hello,\n\n{intro}\n\nChoose a new password here:\n{link}\n\n{after}\n\n{ignore}"
    html = (
        f"<p>Hello,</p><p>{escape(intro)}</p>"
        f'<p><a href="{escape(link, quote=True)}">Choose a new password</a></p>'
        f"<p>{escape(after)}</p><p>{escape(ignore)}</p>"
    )
    return [(email, RESET_SUBJECT, text, html)]


def _receipt_subject(orders: list[dict]) -> str:
    """ "SG-7K3F-92 packed: $12.34 charged" (every packed order's number)."""
    packed = [o for o in orders if o["status"] != "cancelled"]
    charged = sum(o.get("final_cents") or 0 for o in packed)
    numbers = ", ".join(_number(o) for o in packed)
    return f"{numbers} packed: {_price(charged, orders[0]['currency'])} charged"


SEND_LEASE_SECONDS = 60.0  # longer than a send; shorter than the platform's first retry of a failed delivery


def handle(event: dict) -> list[dict]:
    """Send what an event calls for, once per event key; returns what was sent (address, subject, id)."""
    key = (event.get("detail") or {}).get("event_key")
    if key:
        log = ports.resolve(SentNotifications)
        if not log.claim(key, SEND_LEASE_SECONDS):
            return []
        sent = _handle(event)
        log.sent(key)
        return sent
    return _handle(event)


def _handle(event: dict) -> list[dict]:
    kind, detail = event.get("detail-type"), event.get("detail") or {}
    outgoing: list[tuple[str, str, str, str]] = []
    if kind == "UserSignedUp":
        text, html = _message(
            f"Hi {detail['full_name']},",
            ["Welcome to SmartGrocer Cloud: fresh groceries from independent sellers, in one basket."],
        )
        outgoing.append((detail["email"], "Welcome to SmartGrocer", text, html))
    elif kind == "PasswordResetRequested":
        outgoing += _password_reset_mail(detail)
    elif kind == "CheckoutSettled" and detail.get("status") == "captured":
        # A voided checkout sends nothing more: each of its orders was cancelled with its own mail.
        orders = ports.resolve(OrderRepository).for_checkout(detail["order_id"])
        buyer = _user(orders[0]["user_id"]) if orders else None
        if buyer:
            text, html = _receipt(f"Hi {buyer['full_name']},", orders)
            outgoing.append((buyer["email"], _receipt_subject(orders), text, html))
    elif kind == "OrderRefunded":
        order = _order(detail["order_id"])
        number = int(detail.get("status") or 0)  # which of the order's refunds
        refund = next((r for r in (order or {}).get("refunds") or [] if r["number"] == number), None)
        buyer = _user(order["user_id"]) if order and refund else None
        if order and refund and buyer:
            amount = _money(refund["amount_cents"], order["currency"])
            text, html = _message(
                f"Hi {buyer['full_name']},",
                [
                    f"{order['seller_name']} refunded {amount} on your order {_number(order)}: {refund['reason']}",
                    "The money goes back to the card you paid with; banks usually show it within 5-10 days.",
                ],
                order,
            )
            subject = f"{_number(order)}: refunded {_price(refund['amount_cents'], order['currency'])}"
            outgoing.append((buyer["email"], subject, text, html))
    elif kind in {"OrderConfirmed", "OrderStatusChanged"}:
        order = _order(detail["order_id"])
        if order is None:
            return []
        outgoing += _order_mails(kind, detail, order)
    sent = []
    for to, subject, text, html in outgoing:
        sent.append({"to": to, "subject": subject, "message_id": mailer().send(to, subject, text, html)})
    return sent


def _order_mails(kind: str, detail: dict, order: dict) -> list[tuple[str, str, str, str]]:
    """An order confirmed (the shopper and the seller) or moved on (the shopper; the seller too when
    someone else cancelled it after they saw it)."""
    buyer, number, outgoing = _user(order["user_id"]), _number(order), []
    if kind == "OrderConfirmed":
        seller = _user(order["seller_id"])
        hold = _money(order["authorized_cents"], order["currency"])
        text, html = _message(
            f"Hi {buyer['full_name']},",
            [
                f"Thank you: {order['seller_name']} has your order {number} and will pack it soon.",
                f"Your card is authorised for up to {hold} for this order; nothing is charged yet. "
                "You pay for what is packed (weighed items at their packed weight), never more than that.",
            ],
            order,
        )
        outgoing.append((buyer["email"], f"{number}: confirmed", text, html))
        if seller:
            text, html = _message(f"Hi {seller['full_name']},", [f"You have a new order to pack: {number}."], order)
            outgoing.append((seller["email"], f"{number}: new order to pack", text, html))
        return outgoing
    status = detail.get("status")
    if status not in STATUS_NOTES:
        return outgoing
    what, note = STATUS_NOTES[status]
    if status == "cancelled":
        note += (
            " Your payment is being refunded."
            if order.get("payment_status") in {"captured", "partially_refunded", "refunded"}
            or order.get("refund_pending")
            else " Nothing was charged for it; its hold on your card is released."
        )
    text, html = _message(f"Hi {buyer['full_name']},", [note], order)
    outgoing.append((buyer["email"], f"{number}: {what}", text, html))
    if status == "cancelled":
        outgoing += _seller_cancel_mail(order)
    return outgoing


def _seller_cancel_mail(order: dict) -> list[tuple[str, str, str, str]]:
    """The seller hears of a cancellation they did not make, for an order they were asked to pack."""
    cancelled_by = ((order.get("history") or {}).get("cancelled") or {}).get("by")
    if not order.get("seller_visible") or cancelled_by == order["seller_id"]:
        return []
    seller = _user(order["seller_id"])
    if not seller:
        return []
    because = CANCELLED_BECAUSE.get(order.get("cancel_reason") or "", "")
    paragraphs = [f"Order {_number(order)} was cancelled. {because}".strip(), "Please do not pack or send it."]
    if order.get("payment_status") in {"captured", "partially_refunded", "refunded"} or order.get("refund_pending"):
        paragraphs.append("The shopper is refunded; your payout for it is reversed by your share.")
    text, html = _message(f"Hi {seller['full_name']},", paragraphs, order)
    return [(seller["email"], f"{_number(order)}: cancelled", text, html)]
