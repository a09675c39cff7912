"""All the tables, importable from one place."""

from app.models.access import ApiToken, IdempotencyRecord, LoginAttempt, LoginSession
from app.models.alerts import (
    Alert,
    AlertPreference,
    AudienceKind,
    Channel,
    DeliveryStatus,
    DigestRun,
    Notification,
    OutboxMessage,
    RobotKind,
    RobotWebhook,
)
from app.models.batches import Batch
from app.models.finance import AccountingMonth, Adjustment, Claim
from app.models.jobs import Job, JobState
from app.models.org import DefectCode, Product, Region, Setting, Store, Supplier, User
from app.models.pieces import Event, Photo, Piece, Repair, RepairOperation, RepairPart, SparePart
from app.models.printers import Printer
from app.models.quality import ClaimDispute, QualityFigure

__all__ = [
    "AccountingMonth",
    "Adjustment",
    "Alert",
    "AlertPreference",
    "AudienceKind",
    "ApiToken",
    "Batch",
    "Channel",
    "Claim",
    "ClaimDispute",
    "DefectCode",
    "DeliveryStatus",
    "DigestRun",
    "Event",
    "IdempotencyRecord",
    "LoginAttempt",
    "LoginSession",
    "Job",
    "JobState",
    "Notification",
    "OutboxMessage",
    "Photo",
    "Piece",
    "Printer",
    "Product",
    "QualityFigure",
    "Region",
    "Repair",
    "RepairOperation",
    "RepairPart",
    "RobotKind",
    "RobotWebhook",
    "Setting",
    "SparePart",
    "Store",
    "Supplier",
    "User",
]
