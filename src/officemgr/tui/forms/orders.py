"""A purchase order's forms: set a draft line's quantity, add an item to a draft, cancel an order with a
reason, and receive what arrived (per line: quantity, and for lot-tracked items lot, expiry, manufacturer)."""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel, ValidationError
from rich.text import Text

from officemgr.models import OrderStatus, ReceiveCreate
from officemgr.models.validation import parse_expiry
from officemgr.services.purchasing import OrderLineRow, OrderRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors

MAX_QUANTITY = 100_000


def whole_number(text: str | None, *, least: int, most: int = MAX_QUANTITY) -> int:
    """A quantity as typed; ValueError says what is wanted."""
    text = (text or "").strip().replace(",", "")
    if not text.isdigit():
        raise ValueError(f"enter a whole number from {least:,} to {most:,}")
    value = int(text)
    if not least <= value <= most:
        raise ValueError(f"enter a whole number from {least:,} to {most:,}")
    return value


class Quantity(BaseModel):
    quantity: int


class QuantityForm(RecordForm[Quantity]):
    """Set a draft line's quantity; 0 takes the item off the order."""

    def __init__(self, ctx: AppContext, save: SaveCall[Quantity], line: OrderLineRow) -> None:
        self.line = line
        self.FORM_TITLE = f"Quantity of {line.name} ({line.unit})"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("quantity", f"Quantity ({self.line.unit}; 0 removes it)", placeholder="e.g. 12")]

    def initial(self) -> dict[str, Any]:
        return {"quantity": str(self.line.quantity)}

    def build(self, values: dict[str, Any]) -> Quantity:
        try:
            return Quantity(quantity=whole_number(values["quantity"], least=0))
        except ValueError as exc:
            raise FieldErrors({"quantity": str(exc)}) from None


class AddLine(BaseModel):
    item_id: int
    quantity: int


class AddLineForm(RecordForm[AddLine]):
    """Put an item on a draft order (its quantity is added if the item is already there)."""

    def __init__(self, ctx: AppContext, save: SaveCall[AddLine], order: OrderRow,
                 items: list[tuple[Text, int]]) -> None:
        """`items`: (label, item id) of the active items, read by the caller off the UI thread."""
        self.order = order
        self.items = items
        self.FORM_TITLE = f"Add an item to order #{order.order_id}: {order.vendor}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        # Select takes any renderable as a label; FieldSpec's annotation says str. The labels are Text so the
        # vendor of an item from another vendor shows dim.
        options = cast(list[tuple[str, Any]], self.items)
        return [FieldSpec("item_id", "Item", kind="select", options=options),
                FieldSpec("quantity", "Quantity", placeholder="e.g. 12")]

    def build(self, values: dict[str, Any]) -> AddLine:
        errors = {}
        if values["item_id"] is None:
            errors["item_id"] = "choose an item"
        try:
            quantity = whole_number(values["quantity"], least=1)
        except ValueError as exc:
            errors["quantity"] = str(exc)
        if errors:
            raise FieldErrors(errors)
        return AddLine(item_id=values["item_id"], quantity=quantity)


class Reason(BaseModel):
    reason: str


class CancelOrderForm(RecordForm[Reason]):
    """Cancel an order (or what has not arrived of it) with a reason."""

    def __init__(self, ctx: AppContext, save: SaveCall[Reason], order: OrderRow) -> None:
        self.order = order
        what = "the rest of order" if order.status is OrderStatus.partly_received else "order"
        self.FORM_TITLE = f"Cancel {what} #{order.order_id}: {order.vendor}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("reason", "Why", placeholder="backordered, ordered elsewhere, not needed…")]

    def build(self, values: dict[str, Any]) -> Reason:
        reason = values["reason"] or ""
        if not reason:
            raise FieldErrors({"reason": "say why the order is cancelled"})
        if len(reason) > 200:
            raise FieldErrors({"reason": "at most 200 characters"})
        return Reason(reason=reason)


class Receipts(BaseModel):
    lines: list[tuple[int, ReceiveCreate]]


class ReceiveOrderForm(RecordForm[Receipts]):
    """What arrived, per line still expected. Blank quantity means none of it came. Dismisses with True once
    received; `result` then holds what the save call returned (the order's new status)."""

    def __init__(self, ctx: AppContext, save: SaveCall[Receipts], order: OrderRow, lines: list[OrderLineRow]) -> None:
        self.order = order
        self.lines = [line for line in lines if line.remaining > 0]
        self.today = ctx.today
        self.FORM_TITLE = f"Receive order #{order.order_id}: {order.vendor}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        specs = []
        for line in self.lines:
            n = line.line_id
            specs.append(FieldSpec(f"qty_{n}", f"{line.name}: {line.remaining} {line.unit} expected", optional=True,
                                   placeholder="quantity received (blank: none)"))
            if line.tracks_lots:
                specs += [
                    FieldSpec(f"lot_{n}", "   lot number", optional=True, placeholder="from the package"),
                    FieldSpec(f"exp_{n}", "   expires", optional=True, placeholder="11/2026 or 11/30/2026"),
                    FieldSpec(f"mfr_{n}", "   manufacturer", optional=True),
                ]
        return specs

    def on_mount(self) -> None:
        self.query_one(".form").add_class("wide")  # item names are long; the default form is narrow

    def build(self, values: dict[str, Any]) -> Receipts:
        errors: dict[str, str] = {}
        receipts = []
        for line in self.lines:
            n = line.line_id
            if values[f"qty_{n}"] is None:
                continue
            try:
                quantity = whole_number(values[f"qty_{n}"], least=0, most=line.remaining)
            except ValueError:
                errors[f"qty_{n}"] = f"a whole number from 0 to {line.remaining} (what is still expected)"
                continue
            if quantity == 0:
                continue
            data: dict[str, Any] = {"quantity": quantity}
            if line.tracks_lots:
                data.update(self._lot(line, values, errors))
            try:
                receipts.append((n, ReceiveCreate.model_validate(data)))
            except ValidationError as exc:
                names = {"lot_number": "lot", "expires": "exp", "manufacturer": "mfr", "quantity": "qty"}
                for field, message in validation_errors(exc).items():
                    errors.setdefault(f"{names.get(field, 'qty')}_{n}", message)
        if errors:
            raise FieldErrors(errors)
        if not receipts:
            raise FieldErrors({"__form__": "enter the quantity received for at least one line"})
        return Receipts(lines=receipts)

    def _lot(self, line: OrderLineRow, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        """The lot fields of a lot-tracked line that came in; problems go into `errors`."""
        n = line.line_id
        lot, typed, maker = values[f"lot_{n}"], values[f"exp_{n}"], values[f"mfr_{n}"]
        if not lot:
            errors[f"lot_{n}"] = "the lot number from the package"
        expires = parse_expiry(typed) if typed else None
        if not typed:
            errors[f"exp_{n}"] = "the expiry from the package, e.g. 11/2026"
        elif expires is None:
            errors[f"exp_{n}"] = "an expiry looks like 11/2026 (month and year) or 11/30/2026"
        elif expires < self.today:
            errors[f"exp_{n}"] = f"expired on {expires:%m/%d/%Y}: do not receive it, return it to the vendor"
        return {"lot_number": lot or "", "expires": expires, "manufacturer": maker or ""}
