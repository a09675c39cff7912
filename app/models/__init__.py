"""All the tables, importable from one place."""

from app.models.access import ApiToken, IdempotencyRecord
from app.models.batches import Batch
from app.models.finance import AccountingMonth, Adjustment, Claim
from app.models.org import DefectCode, Product, Region, Setting, Store, Supplier, User
from app.models.pieces import Event, Photo, Piece, Repair, RepairOperation, RepairPart, SparePart
from app.models.printers import Printer

__all__ = [
    "AccountingMonth",
    "Adjustment",
    "ApiToken",
    "Batch",
    "Claim",
    "DefectCode",
    "Event",
    "IdempotencyRecord",
    "Photo",
    "Piece",
    "Printer",
    "Product",
    "Region",
    "Repair",
    "RepairOperation",
    "RepairPart",
    "Setting",
    "SparePart",
    "Store",
    "Supplier",
    "User",
]
