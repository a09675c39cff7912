"""Spare parts: the catalogue, the stock of each location the caller may see, a shelf's
ledger, and receiving parts into stock (the same services as the pages)."""

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import or_, select

from app.api import inputs
from app.api.auth import require_role
from app.api.errors import ApiError
from app.api.routes import bp
from app.api.schemas import when
from app.extensions import db
from app.models import SparePart, StockLocation, StockMovement, StockReceipt
from app.services import scope, stock
from workshop.roles import Role
from workshop.stock import MAX_QUANTITY
from workshop.text import N_

MAX_ID = 2**31 - 1


def part_json(part: SparePart) -> dict:
    return {
        "id": part.id,
        "code": part.code,
        "name_zh": part.name_zh,
        "name_en": part.name_en,
        "unit": part.unit,
        "active": part.active,
    }


def location_json(location: StockLocation) -> dict:
    return {"id": location.id, "store_id": location.store_id, "name": stock.location_name(location)}


def movement_json(m: StockMovement) -> dict:
    return {
        "id": m.id,
        "kind": m.kind.value,
        "quantity": m.quantity,
        "unit_cost": f"{m.unit_cost:.4f}",
        "value": f"{m.value:.2f}",
        "balance": m.balance,
        "at": when(m.at),
        "actor_id": m.actor_id,
        "reason": m.reason,
        "receipt_id": m.receipt_id,
        "repair_id": m.repair_id,
        "requisition_id": m.requisition_id,
        "stocktake_id": m.stocktake_id,
        "other_location_id": m.other_location_id,
    }


def size() -> int:
    return inputs.query_int("size", minimum=1, maximum=200, default=50)


@bp.get("/parts")
def list_parts():
    cursor = inputs.query_int("cursor", minimum=1, maximum=MAX_ID, default=None)
    limit = size()
    query = select(SparePart)
    text = " ".join((request.args.get("q") or "").split())[:60]
    if text:
        query = query.where(
            or_(
                SparePart.code.startswith(text.upper(), autoescape=True),
                SparePart.name_zh.contains(text, autoescape=True),
                SparePart.name_en.icontains(text, autoescape=True),
            )
        )
    if cursor is not None:
        query = query.where(SparePart.id > cursor)
    found = db.session.scalars(query.order_by(SparePart.id).limit(limit + 1)).all()
    items = found[:limit]
    return jsonify(
        {
            "items": [part_json(p) for p in items],
            "next_cursor": items[-1].id if len(found) > limit else None,
            "size": limit,
        }
    )


@bp.get("/parts/<int:part_id>")
def get_part(part_id: int):
    return jsonify(part_json(stock.get_part(part_id)))


@bp.get("/stock/locations")
def list_locations():
    found = db.session.scalars(scope.stock_locations(current_user).order_by(StockLocation.id).limit(500))
    return jsonify({"items": [location_json(loc) for loc in found]})


@bp.get("/stock/locations/<int:location_id>/parts")
def location_stock(location_id: int):
    location = scope.get_stock_location(current_user, location_id)
    after = (request.args.get("after") or "")[:20]
    page = stock.stock_page(
        location,
        search=(request.args.get("q") or "")[:60],
        after=after,
        only_to_order=request.args.get("to_order") == "1",
    )
    return jsonify(
        {
            "location": location_json(location),
            "items": [
                {
                    "part": part_json(row.part),
                    "on_hand": row.on_hand,
                    "average_cost": f"{row.average_cost:.4f}",
                    "value": f"{row.value:.2f}",
                    "reorder_point": row.stock.reorder_point if row.stock else 0,
                    "reorder_quantity": row.stock.reorder_quantity if row.stock else 0,
                    "to_order": row.to_order,
                    "shelf": row.stock.shelf if row.stock else "",
                }
                for row in page.rows
            ],
            "next_after": page.next_after,
        }
    )


@bp.get("/stock/locations/<int:location_id>/parts/<int:part_id>/movements")
def part_movements(location_id: int, part_id: int):
    location = scope.get_stock_location(current_user, location_id)
    part = stock.get_part(part_id)
    cursor = inputs.query_int("cursor", minimum=1, maximum=MAX_ID, default=None)
    shelf = stock.find_shelf(location, part.id)
    page = stock.ledger(shelf, before=cursor, limit=size()) if shelf is not None else stock.LedgerPage([], None)
    return jsonify(
        {
            "on_hand": shelf.on_hand if shelf is not None else 0,
            "items": [movement_json(m) for m in page.movements],
            "next_cursor": page.next_before,
        }
    )


def receipt_json(receipt: StockReceipt) -> dict:
    return {
        "id": receipt.id,
        "number": receipt.number,
        "location_id": receipt.location_id,
        "supplier_id": receipt.supplier_id,
        "delivery_note": receipt.delivery_note,
        "received_at": when(receipt.received_at),
        "lines": [
            {"part_id": line.part_id, "quantity": line.quantity, "unit_price": f"{line.unit_price:.2f}"}
            for line in receipt.lines
        ],
    }


def unit_price(line: dict, index: int):
    price = inputs.decimal_amount(line, "unit_price")
    if price is None:
        raise inputs.required(f"lines[{index}].unit_price")
    return price


@bp.post("/stock/locations/<int:location_id>/receipts")
def receive_parts(location_id: int):
    location = scope.get_stock_location(current_user, location_id)
    require_role(Role.TECHNICIAN)
    body = inputs.json_body()
    lines = body.get("lines")
    if not isinstance(lines, list) or not 1 <= len(lines) <= 200:
        raise ApiError(
            422, "invalid", N_("lines must be a list of 1 to 200 {part_id, quantity, unit_price}."), field="lines"
        )
    parsed = []
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            raise ApiError(
                422,
                "invalid",
                N_("lines must be a list of 1 to 200 {part_id, quantity, unit_price}."),
                field=f"lines[{index}]",
            )
        parsed.append(
            stock.ReceiptLineIn(
                inputs.integer(line, "part_id", minimum=1, maximum=MAX_ID, required_=True),
                inputs.integer(line, "quantity", minimum=1, maximum=MAX_QUANTITY, required_=True),
                unit_price(line, index),
            )
        )
    receipt = stock.receive(
        current_user,
        location,
        parsed,
        supplier_id=inputs.integer(body, "supplier_id", minimum=1, maximum=MAX_ID),
        delivery_note=inputs.text(body, "delivery_note", max_length=60),
        note=inputs.text(body, "note", max_length=2000),
    )
    db.session.flush()
    return jsonify(receipt_json(receipt)), 201
