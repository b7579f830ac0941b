"""Email notifications, sent by the notifier function from order and account events.

Runs asynchronously (EventBridge -> notifier), so a slow or failing mail service never fails a
checkout or a status change; a failure here raises, and the event is retried by the platform."""

from __future__ import annotations

from html import escape
from typing import Protocol

from smartgrocer.domain import ports
from smartgrocer.domain.checkout_ports import OrderRepository
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


STATUS_SUBJECTS = {
    "out_for_delivery": "Your SmartGrocer order is on its way",
    "delivered": "Your SmartGrocer order was delivered",
    "cancelled": "Your SmartGrocer order was cancelled",
}


def _money(cents: int, currency: str) -> str:
    return f"{format_amount(cents)} {currency.upper()}"


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


def _message(greeting: str, paragraphs: list[str], order: dict | None = None) -> tuple[str, str]:
    text_lines, html_lines = "", ""
    if order:
        text_lines, html_lines = _lines(order)
        total = _money(order["total_cents"], order["currency"])
        extra = [f"Delivery fee: {_money(order['fee_cents'], order['currency'])}"] if order.get("fee_cents") else []
        when = fulfilment_line(order)
        extra += [when] if when else []
        text_lines += "".join(f"\n  {line}" for line in extra) + f"\n  Total: {total}\n  Order: {order['_id']}"
        html_lines += "".join(f"<p>{escape(line)}</p>" for line in extra)
        html_lines += f"<p>Total: <strong>{total}</strong><br>Order: {order['_id']}</p>"
    text = f"{greeting}\n\n" + "\n\n".join(paragraphs) + (f"\n\n{text_lines}" if text_lines else "")
    html = f"<p>{escape(greeting)}</p>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + html_lines
    return text, html


def fulfilment_line(order: dict) -> str | None:
    """ "Delivery: Tuesday 1 December, 09:00-12:00" or "Pickup: ... at 1 Mill Lane"; None when the seller
    arranges delivery themselves."""
    chosen = order.get("fulfilment")
    if not chosen:
        return None
    if chosen["method"] == "pickup":
        return f"Pickup: {chosen['label']}" + (f" at {chosen['address']}" if chosen.get("address") else "")
    return f"Delivery: {chosen['label']}"


def _receipt(greeting: str, orders: list[dict]) -> tuple[str, str]:
    """The final receipt of a checkout: per seller, each line ordered, packed, substituted, charged,
    then what was charged and what of the authorisation was released."""
    currency = orders[0]["currency"]
    text_parts, html_parts = [greeting, "Your sellers have packed your groceries. Here is what you were charged."], []
    html_parts.append(f"<p>{escape(greeting)}</p><p>{escape(text_parts[1])}</p>")
    charged = released = 0
    for order in orders:
        if order["status"] == "cancelled":
            note = f"{order['seller_name']}: cancelled, nothing charged."
            text_parts.append(note)
            html_parts.append(f"<p>{escape(note)}</p>")
        else:
            text_lines, html_lines = _lines(order, receipt=True)
            final = order.get("final_cents") or 0
            charged += final
            text_parts.append(
                f"{order['seller_name']} (order {order['_id']}):\n{text_lines}\n  Charged: {_money(final, currency)}"
            )
            charge = _money(final, currency)
            html_parts.append(
                f"<h3>{escape(order['seller_name'])}</h3>{html_lines}<p>Charged: <strong>{charge}</strong></p>"
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
            outgoing.append((buyer["email"], "Your SmartGrocer receipt", text, html))
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
                    f"{order['seller_name']} refunded {amount} on your order {order['_id']}: {refund['reason']}",
                    "The money goes back to the card you paid with; banks usually show it within 5-10 days.",
                ],
            )
            outgoing.append((buyer["email"], f"A refund of {amount} on your SmartGrocer order", text, html))
    elif kind in {"OrderConfirmed", "OrderStatusChanged"}:
        order = _order(detail["order_id"])
        if order is None:
            return []
        buyer = _user(order["user_id"])
        if kind == "OrderConfirmed":
            seller = _user(order["seller_id"])
            hold = _money(order["authorized_cents"], order["currency"])
            text, html = _message(
                f"Hi {buyer['full_name']},",
                [
                    f"Thank you: {order['seller_name']} has your order and will pack it soon.",
                    f"Your card is authorised for up to {hold} for this order; nothing is charged yet. "
                    "You pay for what is packed (weighed items at their packed weight), never more than that.",
                ],
                order,
            )
            outgoing.append((buyer["email"], "Your SmartGrocer order is confirmed", text, html))
            if seller:
                text, html = _message(f"Hi {seller['full_name']},", ["You have a new order to pack."], order)
                outgoing.append((seller["email"], "New order to pack", text, html))
        elif detail.get("status") in STATUS_SUBJECTS:
            status = detail["status"]
            note = {
                "out_for_delivery": "Your order is out for delivery.",
                "delivered": "Your order was delivered. Enjoy!",
                "cancelled": "Your order was cancelled."
                + (
                    " Your payment is being refunded."
                    if order.get("payment_status") in {"captured", "partially_refunded", "refunded"}
                    or order.get("refund_pending")
                    else " Nothing was charged for it; its hold on your card is released."
                ),
            }[status]
            text, html = _message(f"Hi {buyer['full_name']},", [note], order)
            outgoing.append((buyer["email"], STATUS_SUBJECTS[status], text, html))
    sent = []
    for to, subject, text, html in outgoing:
        sent.append({"to": to, "subject": subject, "message_id": mailer().send(to, subject, text, html)})
    return sent
