"""Email notifications, sent by the notifier function from order and account events.

Runs asynchronously (EventBridge -> notifier), so a slow or failing mail service never fails a
checkout or a status change; a failure here raises, and the event is retried by the platform."""

from __future__ import annotations

from html import escape
from typing import Protocol

from smartgrocer.domain import ports
from smartgrocer.money import format_amount


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str: ...


def mailer() -> Mailer:
    return ports.resolve(Mailer)


def _user(user_id: str) -> dict | None:
    from smartgrocer.domain.accounts import UserRepository

    return ports.resolve(UserRepository).by_id(user_id, ("email", "full_name"))


def _order(order_id: str) -> dict | None:
    from smartgrocer.domain.checkout_ports import OrderRepository

    return ports.resolve(OrderRepository).get(order_id)


STATUS_SUBJECTS = {
    "out_for_delivery": "Your SmartGrocer order is on its way",
    "delivered": "Your SmartGrocer order was delivered",
    "cancelled": "Your SmartGrocer order was cancelled",
}


def _money(cents: int, currency: str) -> str:
    return f"{format_amount(cents)} {currency.upper()}"


def _lines(order: dict) -> tuple[str, str]:
    text = "\n".join(
        f"  {i['quantity']} x {i['name']} ({i['unit']}): {_money(i['line_total_cents'], order['currency'])}"
        for i in order["items"]
    )
    html = "".join(
        f"<li>{i['quantity']} &times; {escape(i['name'])} ({escape(i['unit'])}): "
        f"{_money(i['line_total_cents'], order['currency'])}</li>"
        for i in order["items"]
    )
    return text, f"<ul>{html}</ul>"


def _message(greeting: str, paragraphs: list[str], order: dict | None = None) -> tuple[str, str]:
    text_lines, html_lines = "", ""
    if order:
        text_lines, html_lines = _lines(order)
        total = _money(order["total_cents"], order["currency"])
        text_lines += f"\n  Total: {total}\n  Order: {order['_id']}"
        html_lines += f"<p>Total: <strong>{total}</strong><br>Order: {order['_id']}</p>"
    text = f"{greeting}\n\n" + "\n\n".join(paragraphs) + (f"\n\n{text_lines}" if text_lines else "")
    html = f"<p>{escape(greeting)}</p>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + html_lines
    return text, html


def handle(event: dict) -> list[dict]:
    """Send what an event calls for; returns what was sent (address, subject, message id)."""
    kind, detail = event.get("detail-type"), event.get("detail") or {}
    outgoing: list[tuple[str, str, str, str]] = []
    if kind == "UserSignedUp":
        text, html = _message(
            f"Hi {detail['full_name']},",
            ["Welcome to SmartGrocer Cloud: fresh groceries from independent sellers, in one basket."],
        )
        outgoing.append((detail["email"], "Welcome to SmartGrocer", text, html))
    elif kind in {"OrderPaid", "OrderStatusChanged"}:
        order = _order(detail["order_id"])
        if order is None:
            return []
        buyer = _user(order["user_id"])
        if kind == "OrderPaid":
            seller = _user(order["seller_id"])
            text, html = _message(
                f"Hi {buyer['full_name']},",
                [f"Thank you: {order['seller_name']} has your paid order and will pack it soon."],
                order,
            )
            outgoing.append((buyer["email"], "Your SmartGrocer order is confirmed", text, html))
            if seller:
                text, html = _message(f"Hi {seller['full_name']},", ["You have a new paid order to pack."], order)
                outgoing.append((seller["email"], "New paid order to pack", text, html))
        elif detail.get("status") in STATUS_SUBJECTS:
            status = detail["status"]
            note = {
                "out_for_delivery": "Your order is out for delivery.",
                "delivered": "Your order was delivered. Enjoy!",
                "cancelled": "Your order was cancelled."
                + (
                    " Your payment is being refunded."
                    if order.get("payment_status") in {"paid", "refunded"} or order.get("refund_pending")
                    else ""
                ),
            }[status]
            text, html = _message(f"Hi {buyer['full_name']},", [note], order)
            outgoing.append((buyer["email"], STATUS_SUBJECTS[status], text, html))
    sent = []
    for to, subject, text, html in outgoing:
        sent.append({"to": to, "subject": subject, "message_id": mailer().send(to, subject, text, html)})
    return sent
