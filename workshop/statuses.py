"""Statuses and the other closed vocabularies of the domain, with their readable names."""

from enum import StrEnum

from workshop.text import N_


class PieceStatus(StrEnum):
    REGISTERED = "registered"
    PACKED = "packed"
    IN_TRANSIT = "in_transit"
    MISSING = "missing"
    UNEXPECTED = "unexpected"
    RECEIVED = "received"
    REPAIRABLE = "repairable"
    REPAIRED = "repaired"
    NO_FAULT = "no_fault"
    SCRAPPED = "scrapped"
    PACKED_FOR_RETURN = "packed_for_return"
    RETURNING = "returning"
    BACK_AT_STORE = "back_at_store"

    @property
    def label(self) -> str:
        return PIECE_STATUS_LABELS[self]


PIECE_STATUS_LABELS = {
    PieceStatus.REGISTERED: N_("registered"),
    PieceStatus.PACKED: N_("packed"),
    PieceStatus.IN_TRANSIT: N_("in transit"),
    PieceStatus.MISSING: N_("missing"),
    PieceStatus.UNEXPECTED: N_("unexpected"),
    PieceStatus.RECEIVED: N_("received"),
    PieceStatus.REPAIRABLE: N_("repairable"),
    PieceStatus.REPAIRED: N_("repaired"),
    PieceStatus.NO_FAULT: N_("no fault found"),
    PieceStatus.SCRAPPED: N_("scrapped"),
    PieceStatus.PACKED_FOR_RETURN: N_("packed for return"),
    PieceStatus.RETURNING: N_("returning"),
    PieceStatus.BACK_AT_STORE: N_("back at store"),
}

# Where a piece is, in a sentence that tells what happens next.
PIECE_STATUS_HINTS = {
    PieceStatus.REGISTERED: N_("It is still at its store, waiting to be packed into a batch."),
    PieceStatus.PACKED: N_("It is packed in its store's open batch, not yet dispatched."),
    PieceStatus.IN_TRANSIT: N_("It is on its way to the workshop: receive it by scanning its batch."),
    PieceStatus.MISSING: N_("It was missing when its batch was checked; scan it to receive it if it has arrived."),
    PieceStatus.UNEXPECTED: N_("It arrived without being expected; receive it to continue."),
    PieceStatus.RECEIVED: N_("It is in the workshop, waiting to be graded."),
    PieceStatus.REPAIRABLE: N_("It is graded repairable, waiting for its repair."),
    PieceStatus.REPAIRED: N_("It is repaired, ready to be packed into a return batch."),
    PieceStatus.NO_FAULT: N_("No fault was found; it is ready to be packed into a return batch."),
    PieceStatus.SCRAPPED: N_("It is scrapped; it will not go back to the store."),
    PieceStatus.PACKED_FOR_RETURN: N_("It is packed in a return batch, not yet dispatched."),
    PieceStatus.RETURNING: N_("It is on its way back to its store: the store receives it by scanning."),
    PieceStatus.BACK_AT_STORE: N_("It is back at its store; its trip is over."),
}

# What the statuses mean, named once: pages, services and queries use these sets, never a
# list of their own.

# At its store, before the parcel leaves.
AT_STORE = frozenset({PieceStatus.REGISTERED, PieceStatus.PACKED})
# On its way to the workshop (a missing piece is followed up as still on its way).
ON_THE_WAY_IN = frozenset({PieceStatus.IN_TRANSIT, PieceStatus.MISSING})
# Waiting at the bench: to be graded, or graded repairable and waiting for its repair.
ON_THE_BENCH = frozenset({PieceStatus.RECEIVED, PieceStatus.REPAIRABLE})
# Done at the bench and ready to be packed into a return parcel.
READY_TO_GO_BACK = frozenset({PieceStatus.REPAIRED, PieceStatus.NO_FAULT})
# In the workshop's hands (its clock is running there).
IN_WORKSHOP = ON_THE_BENCH | READY_TO_GO_BACK | {PieceStatus.PACKED_FOR_RETURN}
# Once received, a piece has arrived at the workshop for good, whatever happened next.
ARRIVED_AT_WORKSHOP = IN_WORKSHOP | {PieceStatus.SCRAPPED, PieceStatus.RETURNING, PieceStatus.BACK_AT_STORE}
# Statuses whose 15-day clock is running: dispatched and not yet back (scrap stops it).
CLOCK_RUNNING = ON_THE_WAY_IN | IN_WORKSHOP | {PieceStatus.RETURNING}


class BatchStatus(StrEnum):
    OPEN = "open"
    DISPATCHED = "dispatched"
    CHECKING = "checking"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return BATCH_STATUS_LABELS[self]


BATCH_STATUS_LABELS = {
    BatchStatus.OPEN: N_("open"),
    BatchStatus.DISPATCHED: N_("dispatched"),
    BatchStatus.CHECKING: N_("being checked"),
    BatchStatus.CLOSED: N_("checked and closed"),
}


class Direction(StrEnum):
    OUTBOUND = "outbound"
    RETURN = "return"

    @property
    def label(self) -> str:
        return {Direction.OUTBOUND: N_("store → workshop"), Direction.RETURN: N_("workshop → store")}[self]


class Grade(StrEnum):
    REPAIRABLE = "repairable"
    NO_FAULT = "no_fault"
    SCRAP = "scrap"

    @property
    def label(self) -> str:
        return {
            Grade.REPAIRABLE: N_("repairable"),
            Grade.NO_FAULT: N_("no fault found"),
            Grade.SCRAP: N_("scrap"),
        }[self]


# Where a grade sends a piece, and where a piece of each grade waits to go back.
GRADED_STATUS = {
    Grade.REPAIRABLE: PieceStatus.REPAIRABLE,
    Grade.NO_FAULT: PieceStatus.NO_FAULT,
    Grade.SCRAP: PieceStatus.SCRAPPED,
}
READY_STATUS = {Grade.REPAIRABLE: PieceStatus.REPAIRED, Grade.NO_FAULT: PieceStatus.NO_FAULT}


class Blame(StrEnum):
    SUPPLIER = "supplier"
    STORE = "store"
    HQ = "hq"

    @property
    def label(self) -> str:
        return {Blame.SUPPLIER: N_("supplier"), Blame.STORE: N_("store"), Blame.HQ: N_("head office")}[self]


class Source(StrEnum):
    CUSTOMER_RETURN = "customer_return"
    DELIVERY = "delivery"
    SHELF = "shelf"

    @property
    def label(self) -> str:
        return {
            Source.CUSTOMER_RETURN: N_("customer return"),
            Source.DELIVERY: N_("found on receiving a delivery"),
            Source.SHELF: N_("found on the shelf"),
        }[self]


class DefectKind(StrEnum):
    QUALITY = "quality"
    NON_QUALITY = "non_quality"

    @property
    def label(self) -> str:
        return {DefectKind.QUALITY: N_("quality defect"), DefectKind.NON_QUALITY: N_("non-quality")}[self]


class MonthStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {MonthStatus.OPEN: N_("open"), MonthStatus.CLOSED: N_("closed")}[self]


class ClaimStatus(StrEnum):
    OPEN = "open"
    SENT = "sent"
    DISPUTED = "disputed"  # the supplier disputes pieces of it; finance resolves each
    SETTLED = "settled"

    @property
    def label(self) -> str:
        return {
            ClaimStatus.OPEN: N_("open"),
            ClaimStatus.SENT: N_("sent"),
            ClaimStatus.DISPUTED: N_("disputed"),
            ClaimStatus.SETTLED: N_("settled"),
        }[self]


# Claims the supplier has received and not yet paid.
CLAIM_AWAITING_PAYMENT = frozenset({ClaimStatus.SENT, ClaimStatus.DISPUTED})


class DisputeStatus(StrEnum):
    """One disputed piece of a claim: open until finance accepts it (the amount stays) or
    withdraws it (head office bears it)."""

    DISPUTED = "disputed"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            DisputeStatus.DISPUTED: N_("disputed"),
            DisputeStatus.ACCEPTED: N_("accepted: the amount stays"),
            DisputeStatus.WITHDRAWN: N_("withdrawn: head office bears it"),
        }[self]
