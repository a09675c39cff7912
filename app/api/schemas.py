"""What the API sends: plain dicts with ISO 8601 times (UTC, with their offset), dates as
YYYY-MM-DD, money as decimal strings ("123.45") and statuses as their stable values."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from app.i18n import translate
from app.models import Batch, Event, Photo, Piece, Store
from app.services import reasons, scanning
from app.services.scan_station import StationAnswer


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def amount(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def value_of(enum) -> str | None:
    return enum.value if enum is not None else None


def store_ref(store: Store) -> dict:
    return {"id": store.id, "code": store.code, "name": store.name}


def piece_json(piece: Piece) -> dict:
    return {
        "id": piece.id,
        "code": piece.code,
        "status": piece.status.value,
        "status_label": _(piece.status.label),
        "store": store_ref(piece.store),
        "product": {"id": piece.product.id, "style_code": piece.product.style_code, "name": piece.product.name},
        "defect": {
            "id": piece.defect.id,
            "code": piece.defect.code,
            "name_zh": piece.defect.name_zh,
            "name_en": piece.defect.name_en,
        },
        "size": piece.size,
        "colour": piece.colour,
        "description": piece.description,
        "source": piece.source.value,
        "delivery_received_on": day(piece.delivery_received_on),
        "unexpected": piece.unexpected,
        "trip": piece.trip,
        "registered_at": when(piece.registered_at),
        "labelled_at": when(piece.labelled_at),
        "batch_id": piece.batch_id,
        "dispatched_at": when(piece.dispatched_at),
        "due_on": day(piece.due_on),
        "received_at": when(piece.received_at),
        "return_batch_id": piece.return_batch_id,
        "back_at": when(piece.back_at),
        "grade": value_of(piece.grade),
        "graded_at": when(piece.graded_at),
        "blame": value_of(piece.blame),
        "suggested_blame": value_of(piece.suggested_blame),
        "blame_reason": reasons.blame_reason(piece),
        "scrap_cost": amount(piece.scrap_cost),
        "scrapped_at": when(piece.scrapped_at),
    }


def batch_json(batch: Batch, piece_count: int | None = None) -> dict:
    return {
        "id": batch.id,
        "code": batch.code,
        "direction": batch.direction.value,
        "status": batch.status.value,
        "status_label": _(batch.status.label),
        "store": store_ref(batch.store),
        "created_at": when(batch.created_at),
        "iso_week": batch.iso_week,
        "extra": batch.extra,
        "shipping_fee": amount(batch.shipping_fee),
        "carrier": batch.carrier,
        "tracking_no": batch.tracking_no,
        "dispatched_at": when(batch.dispatched_at),
        "expected_count": batch.expected_count,
        "check_started_at": when(batch.check_started_at),
        "closed_at": when(batch.closed_at),
        "piece_count": piece_count,
    }


def member_json(piece: Piece) -> dict:
    return {"id": piece.id, "code": piece.code, "status": piece.status.value, "unexpected": piece.unexpected}


def event_json(event: Event) -> dict:
    return {
        "id": event.id,
        "at": when(event.at),
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "actor": event.actor.display_name if event.actor is not None else None,
        "batch_id": event.batch_id,
        "data": event.data or {},
    }


def photo_json(photo: Photo) -> dict:
    return {
        "id": photo.id,
        "content_type": photo.content_type,
        "size_bytes": photo.size_bytes,
        "width": photo.width,
        "height": photo.height,
        "uploaded_at": when(photo.uploaded_at),
    }


def scan_json(result: scanning.ScanResult, mode: str | None = None, station: StationAnswer | None = None) -> dict:
    answer = {
        "outcome": result.outcome,
        "code": result.code,
        "message": translate(result.message, result.params),
        "mode": mode,
        "counts": result.counts,
        "piece_id": result.piece_id,
        "batch_id": result.batch_id,
        "return_batch": None,
        "register_unexpected": None,
    }
    if result.outcome == scanning.REFUSED:
        # The stable code again where every other API error keeps it (status 4xx).
        answer["error"] = {"code": result.code, "message": answer["message"]}
    if station is not None:
        answer["return_batch"] = station.return_batch
        answer["register_unexpected"] = station.register_unexpected
        if station.list_batch is not None and answer["batch_id"] is None:
            answer["batch_id"] = station.list_batch
    return answer
