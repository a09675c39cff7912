"""The one table of allowed moves, and the one function that makes a move.

Every change of a piece's or a batch's status goes through :func:`move_piece` or
:func:`move_batch`: they check the table (status and role) and return the history
event to record. Nothing else decides whether a move is allowed.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from workshop.errors import AlreadyDone, InvalidTransition, NotPermitted, RuleViolation
from workshop.roles import Role
from workshop.statuses import PIECE_STATUS_HINTS, BatchStatus, ClaimStatus, Direction, MonthStatus
from workshop.statuses import PieceStatus as S
from workshop.text import N_


class EventAction(StrEnum):
    """Every kind of history event, as stored in ``event.action``: one vocabulary, one map of labels."""

    # moves of a piece
    REGISTER = "register"
    REGISTER_UNEXPECTED = "register_unexpected"
    EDIT = "edit"
    PACK = "pack"
    UNPACK = "unpack"
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    MARK_MISSING = "mark_missing"
    GRADE = "grade"
    REPAIR = "repair"
    SCRAP = "scrap"
    CHANGE_BLAME = "change_blame"
    PACK_RETURN = "pack_return"
    UNPACK_RETURN = "unpack_return"
    DISPATCH_RETURN = "dispatch_return"
    RECEIVE_BACK = "receive_back"
    REOPEN = "reopen"
    ADD_PHOTO = "add_photo"
    PRINT_LABEL = "print_label"
    # moves of a batch
    BATCH_OPEN = "batch_open"
    BATCH_DISPATCH = "batch_dispatch"
    BATCH_START_CHECK = "batch_start_check"
    BATCH_CLOSE_CHECK = "batch_close_check"
    # finance
    MONTH_CLOSE = "month_close"
    MONTH_REOPEN = "month_reopen"
    ADJUSTMENT = "adjustment"
    CLAIM_OPEN = "claim_open"
    CLAIM_SENT = "claim_sent"
    CLAIM_SETTLED = "claim_settled"
    CLAIM_DISPUTED = "claim_disputed"
    CLAIM_DISPUTE_RESOLVED = "claim_dispute_resolved"
    CLAIM_DISPUTE_ENDED = "claim_dispute_ended"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]

    @classmethod
    def label_of(cls, stored: str) -> str:
        """The readable name of a stored action (an unknown one reads as itself)."""
        try:
            return cls(stored).label
        except ValueError:
            return stored


E = EventAction
EVENT_LABELS: dict[EventAction, str] = {
    E.REGISTER: N_("registered"),
    E.REGISTER_UNEXPECTED: N_("registered as unexpected at the workshop"),
    E.EDIT: N_("details corrected"),
    E.PACK: N_("packed into a batch"),
    E.UNPACK: N_("taken out of its batch"),
    E.DISPATCH: N_("dispatched to the workshop"),
    E.RECEIVE: N_("received at the workshop"),
    E.MARK_MISSING: N_("marked missing"),
    E.GRADE: N_("graded"),
    E.REPAIR: N_("repaired"),
    E.SCRAP: N_("scrapped"),
    E.CHANGE_BLAME: N_("blame changed"),
    E.PACK_RETURN: N_("packed into a return batch"),
    E.UNPACK_RETURN: N_("taken out of its return batch"),
    E.DISPATCH_RETURN: N_("sent back to the store"),
    E.RECEIVE_BACK: N_("received back at the store"),
    E.REOPEN: N_("came back again and was registered anew"),
    E.ADD_PHOTO: N_("photo added"),
    E.PRINT_LABEL: N_("label printed"),
    E.BATCH_OPEN: N_("opened"),
    E.BATCH_DISPATCH: N_("dispatched"),
    E.BATCH_START_CHECK: N_("check started"),
    E.BATCH_CLOSE_CHECK: N_("check closed"),
    E.MONTH_CLOSE: N_("month closed"),
    E.MONTH_REOPEN: N_("month reopened"),
    E.ADJUSTMENT: N_("cost adjusted in an open month"),
    E.CLAIM_OPEN: N_("claim opened"),
    E.CLAIM_SENT: N_("claim sent"),
    E.CLAIM_SETTLED: N_("claim settled"),
    E.CLAIM_DISPUTED: N_("piece of a claim disputed by the supplier"),
    E.CLAIM_DISPUTE_RESOLVED: N_("dispute on a piece resolved"),
    E.CLAIM_DISPUTE_ENDED: N_("every dispute on the claim resolved"),
}


class PieceAction(StrEnum):
    REGISTER = "register"
    REGISTER_UNEXPECTED = "register_unexpected"
    EDIT = "edit"
    PACK = "pack"
    UNPACK = "unpack"
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    MARK_MISSING = "mark_missing"
    GRADE = "grade"
    REPAIR = "repair"
    SCRAP = "scrap"
    CHANGE_BLAME = "change_blame"
    PACK_RETURN = "pack_return"
    UNPACK_RETURN = "unpack_return"
    DISPATCH_RETURN = "dispatch_return"
    RECEIVE_BACK = "receive_back"
    REOPEN = "reopen"
    ADD_PHOTO = "add_photo"
    PRINT_LABEL = "print_label"

    @property
    def event(self) -> EventAction:
        return EventAction(self.value)

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.event]


class BatchAction(StrEnum):
    OPEN = "open"
    DISPATCH = "dispatch"
    START_CHECK = "start_check"
    CLOSE_CHECK = "close_check"

    @property
    def event(self) -> EventAction:
        return EventAction("batch_" + self.value)

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.event]


@dataclass(frozen=True)
class Rule:
    sources: frozenset[S | None]
    targets: tuple[S, ...]
    roles: frozenset[Role]


def _rule(sources: Iterable[S | None], targets: Iterable[S], *roles: Role) -> Rule:
    return Rule(frozenset(sources), tuple(targets), frozenset(roles) | {Role.ADMIN})


STORE, TECH = Role.STORE, Role.TECHNICIAN

# The piece's life (DOMAIN.md). ``None`` is "not yet a piece". Moves whose source and
# target are the same status (edit, change of blame, photo, label) record an event
# without moving the piece.
PIECE_TABLE: dict[PieceAction, Rule] = {
    PieceAction.REGISTER: _rule({None}, {S.REGISTERED}, STORE),
    PieceAction.REGISTER_UNEXPECTED: _rule({None}, {S.UNEXPECTED}, TECH),
    PieceAction.EDIT: _rule({S.REGISTERED, S.PACKED}, (), STORE),
    PieceAction.PACK: _rule({S.REGISTERED}, {S.PACKED}, STORE),
    PieceAction.UNPACK: _rule({S.PACKED}, {S.REGISTERED}, STORE),
    PieceAction.DISPATCH: _rule({S.PACKED}, {S.IN_TRANSIT}, STORE),
    PieceAction.RECEIVE: _rule({S.IN_TRANSIT, S.MISSING, S.UNEXPECTED}, {S.RECEIVED}, TECH),
    PieceAction.MARK_MISSING: _rule({S.IN_TRANSIT}, {S.MISSING}, TECH),
    PieceAction.GRADE: _rule({S.RECEIVED}, (S.REPAIRABLE, S.NO_FAULT, S.SCRAPPED), TECH),
    PieceAction.REPAIR: _rule({S.REPAIRABLE}, {S.REPAIRED}, TECH),
    # A repair may turn out impossible: the technician scraps the piece instead.
    PieceAction.SCRAP: _rule({S.REPAIRABLE}, {S.SCRAPPED}, TECH),
    PieceAction.CHANGE_BLAME: _rule({S.SCRAPPED}, (), TECH),
    PieceAction.PACK_RETURN: _rule({S.REPAIRED, S.NO_FAULT}, {S.PACKED_FOR_RETURN}, TECH),
    PieceAction.UNPACK_RETURN: _rule({S.PACKED_FOR_RETURN}, (S.REPAIRED, S.NO_FAULT), TECH),
    PieceAction.DISPATCH_RETURN: _rule({S.PACKED_FOR_RETURN}, {S.RETURNING}, TECH),
    PieceAction.RECEIVE_BACK: _rule({S.RETURNING}, {S.BACK_AT_STORE}, STORE),
    # Rule 6: a piece that comes back with the same fault starts a new trip, keeping its
    # label and its repair record.
    PieceAction.REOPEN: _rule({S.BACK_AT_STORE}, {S.REGISTERED}, STORE),
    PieceAction.ADD_PHOTO: _rule(set(S) - {S.SCRAPPED}, (), STORE, TECH),
    PieceAction.PRINT_LABEL: _rule(set(S), (), STORE, TECH),
}

# A repeated move ("scanned twice") is harmless: it says so and changes nothing.
REPEATS = {
    PieceAction.RECEIVE: S.RECEIVED,
    PieceAction.PACK: S.PACKED,
    PieceAction.PACK_RETURN: S.PACKED_FOR_RETURN,
    PieceAction.RECEIVE_BACK: S.BACK_AT_STORE,
    PieceAction.MARK_MISSING: S.MISSING,
}
REPEAT_MESSAGES = {
    PieceAction.RECEIVE: N_("Piece %(code)s is already received. Nothing was changed."),
    PieceAction.PACK: N_("Piece %(code)s is already in this batch. Nothing was changed."),
    PieceAction.PACK_RETURN: N_("Piece %(code)s is already packed for return. Nothing was changed."),
    PieceAction.RECEIVE_BACK: N_("Piece %(code)s is already back at the store. Nothing was changed."),
    PieceAction.MARK_MISSING: N_("Piece %(code)s is already marked missing. Nothing was changed."),
}


@dataclass(frozen=True)
class Move:
    """The history event a move produces: what was done, from which status, to which."""

    action: str
    from_status: str | None
    to_status: str | None
    data: dict[str, object] = field(default_factory=dict)


def allowed_piece_actions(status: S | None, role: Role) -> list[PieceAction]:
    """What this role may do to a piece in this status now (pages offer exactly these)."""
    return [a for a, r in PIECE_TABLE.items() if status in r.sources and role in r.roles]


def move_piece(
    code: str,
    status: S | None,
    action: PieceAction,
    role: Role,
    target: S | None = None,
) -> Move:
    """Check one move of one piece against the table; return its event or raise."""
    rule = PIECE_TABLE[action]
    if role not in rule.roles:
        raise NotPermitted(
            N_("Your role (%(role)s) may not do this to piece %(code)s: it is %(status)s."),
            role=role.label,
            code=code,
            status=status.label if status else "",
        )
    if status not in rule.sources:
        if action in REPEATS and REPEATS[action] == status:
            raise AlreadyDone(REPEAT_MESSAGES[action], code=code)
        if status is None:
            raise InvalidTransition(N_("Piece %(code)s does not exist."), code=code)
        raise InvalidTransition(
            N_("Piece %(code)s is %(status)s, so it cannot be %(action)s. %(hint)s"),
            code=code,
            status=status.label,
            action=action.label,
            hint=PIECE_STATUS_HINTS[status],
        )
    if not rule.targets:
        assert status is not None  # a move that keeps its status starts from one
        to = status
    elif len(rule.targets) == 1:
        to = next(iter(rule.targets))
        if target is not None and target != to:
            raise ValueError(f"{action} leads to {to}, not {target}")
    else:
        if target not in rule.targets:
            raise ValueError(f"{action} needs a target among {rule.targets}, got {target}")
        to = target
    return Move(action.event, status.value if status else None, to.value)


# Batches: who may move a batch depends on its direction. The store packs and dispatches
# its outbound batch and the workshop checks it; the workshop packs and dispatches a
# return batch and the store checks it.
_B = BatchStatus
BATCH_TABLE: dict[BatchAction, tuple[frozenset[BatchStatus | None], BatchStatus, dict[Direction, frozenset[Role]]]] = {
    BatchAction.OPEN: (
        frozenset({None}),
        _B.OPEN,
        {Direction.OUTBOUND: frozenset({STORE}), Direction.RETURN: frozenset({TECH})},
    ),
    BatchAction.DISPATCH: (
        frozenset({_B.OPEN}),
        _B.DISPATCHED,
        {Direction.OUTBOUND: frozenset({STORE}), Direction.RETURN: frozenset({TECH})},
    ),
    BatchAction.START_CHECK: (
        frozenset({_B.DISPATCHED}),
        _B.CHECKING,
        {Direction.OUTBOUND: frozenset({TECH}), Direction.RETURN: frozenset({STORE})},
    ),
    BatchAction.CLOSE_CHECK: (
        frozenset({_B.DISPATCHED, _B.CHECKING}),
        _B.CLOSED,
        {Direction.OUTBOUND: frozenset({TECH}), Direction.RETURN: frozenset({STORE})},
    ),
}

BATCH_HINTS = {
    _B.OPEN: N_("It is still open at its sender: it has not been dispatched."),
    _B.DISPATCHED: N_("It is dispatched and on its way."),
    _B.CHECKING: N_("Its contents are being checked."),
    _B.CLOSED: N_("Its check is closed."),
}


def move_batch(code: str, direction: Direction, status: BatchStatus | None, action: BatchAction, role: Role) -> Move:
    sources, target, roles = BATCH_TABLE[action]
    if role not in roles[direction] and role != Role.ADMIN:
        raise NotPermitted(N_("Your role (%(role)s) may not do this to batch %(code)s."), role=role.label, code=code)
    if status not in sources:
        if status == target:
            raise AlreadyDone(
                N_("Batch %(code)s is already %(status)s. Nothing was changed."), code=code, status=status.label
            )
        raise InvalidTransition(
            N_("Batch %(code)s is %(status)s, so it cannot be %(action)s. %(hint)s"),
            code=code,
            status=status.label if status else "",
            action=action.label,
            hint=BATCH_HINTS[status] if status else "",
        )
    return Move(action.event, status.value if status else None, target.value)


def allowed_batch_actions(direction: Direction, status: BatchStatus | None, role: Role) -> list[BatchAction]:
    """What this role may do to a batch of this direction in this status now."""
    return [
        action
        for action, (sources, _target, roles) in BATCH_TABLE.items()
        if status in sources and (role in roles[direction] or role == Role.ADMIN)
    ]


# Finance's two small lives: a month is open until finance closes it (only an administrator
# reopens it), and a supplier's claim goes open → sent → settled.


class MonthAction(StrEnum):
    CLOSE = "close"
    REOPEN = "reopen"

    @property
    def event(self) -> EventAction:
        return EventAction("month_" + self.value)

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.event]


class ClaimAction(StrEnum):
    OPEN = "open"
    SEND = "send"
    SETTLE = "settle"
    DISPUTE = "dispute"
    RESOLVE = "resolve"
    END_DISPUTE = "end_dispute"

    @property
    def event(self) -> EventAction:
        return {
            ClaimAction.OPEN: E.CLAIM_OPEN,
            ClaimAction.SEND: E.CLAIM_SENT,
            ClaimAction.SETTLE: E.CLAIM_SETTLED,
            ClaimAction.DISPUTE: E.CLAIM_DISPUTED,
            ClaimAction.RESOLVE: E.CLAIM_DISPUTE_RESOLVED,
            ClaimAction.END_DISPUTE: E.CLAIM_DISPUTE_ENDED,
        }[self]

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.event]


@dataclass(frozen=True)
class Step:
    sources: frozenset[StrEnum | None]
    target: StrEnum
    roles: frozenset[Role]
    reason_prompt: str = ""  # when set, the move needs a written reason, and this asks for it


FINANCE = Role.FINANCE
MONTH_TABLE: dict[MonthAction, Step] = {
    MonthAction.CLOSE: Step(frozenset({MonthStatus.OPEN}), MonthStatus.CLOSED, frozenset({FINANCE, Role.ADMIN})),
    MonthAction.REOPEN: Step(
        frozenset({MonthStatus.CLOSED}),
        MonthStatus.OPEN,
        frozenset({Role.ADMIN}),
        reason_prompt=N_("Write why the month is reopened."),
    ),
}
CLAIM_TABLE: dict[ClaimAction, Step] = {
    ClaimAction.OPEN: Step(frozenset({None}), ClaimStatus.OPEN, frozenset({FINANCE, Role.ADMIN})),
    ClaimAction.SEND: Step(frozenset({ClaimStatus.OPEN}), ClaimStatus.SENT, frozenset({FINANCE, Role.ADMIN})),
    ClaimAction.SETTLE: Step(frozenset({ClaimStatus.SENT}), ClaimStatus.SETTLED, frozenset({FINANCE, Role.ADMIN})),
    # A supplier that received a claim may dispute pieces of it, one at a time; finance
    # resolves each (the claim stays disputed), and the last resolution sends it back to
    # "sent", to be settled as usual.
    ClaimAction.DISPUTE: Step(
        frozenset({ClaimStatus.SENT, ClaimStatus.DISPUTED}),
        ClaimStatus.DISPUTED,
        frozenset({FINANCE, Role.ADMIN}),
        reason_prompt=N_("Write what the supplier disputes about this piece."),
    ),
    ClaimAction.RESOLVE: Step(
        frozenset({ClaimStatus.DISPUTED}),
        ClaimStatus.DISPUTED,
        frozenset({FINANCE, Role.ADMIN}),
        reason_prompt=N_("Write how the dispute was resolved."),
    ),
    ClaimAction.END_DISPUTE: Step(
        frozenset({ClaimStatus.DISPUTED}), ClaimStatus.SENT, frozenset({FINANCE, Role.ADMIN})
    ),
}


def move_month(month: str, status: MonthStatus, action: MonthAction, role: Role, reason: str = "") -> Move:
    step = MONTH_TABLE[action]
    if role not in step.roles:
        if action == MonthAction.REOPEN:
            raise NotPermitted(N_("Only an administrator may reopen a closed month."))
        raise NotPermitted(N_("Your role (%(role)s) may not close a month."), role=role.label)
    if step.reason_prompt and not reason.strip():
        raise RuleViolation(step.reason_prompt)
    if status not in step.sources:
        if action == MonthAction.CLOSE:
            raise AlreadyDone(N_("%(month)s is already closed."), month=month)
        raise AlreadyDone(N_("%(month)s is not closed."), month=month)
    return Move(action.event, status.value, step.target.value)


def move_claim(status: ClaimStatus | None, action: ClaimAction, role: Role, reason: str = "") -> Move:
    step = CLAIM_TABLE[action]
    target = ClaimStatus(step.target)
    if role not in step.roles:
        raise NotPermitted(N_("Your role (%(role)s) may not change a supplier's claim."), role=role.label)
    if step.reason_prompt and not reason.strip():
        raise RuleViolation(step.reason_prompt)
    if status not in step.sources:
        if status == target:
            raise AlreadyDone(N_("This claim is already %(status)s. Nothing was changed."), status=target.label)
        raise InvalidTransition(
            N_("This claim is %(status)s: it cannot become %(target)s."),
            status=status.label if status else "",
            target=target.label,
        )
    return Move(action.event, status.value if status else None, target.value)


def allowed_claim_actions(status: ClaimStatus | None, role: Role) -> list[ClaimAction]:
    return [a for a, step in CLAIM_TABLE.items() if status in step.sources and role in step.roles]


def allowed_month_actions(status: MonthStatus, role: Role) -> list[MonthAction]:
    return [a for a, step in MONTH_TABLE.items() if status in step.sources and role in step.roles]


def ensure_batch_open(code: str, status: BatchStatus | None, *, taking_out: bool = False) -> None:
    """Only an open batch takes pieces in or gives them back; a dispatched one is locked."""
    if status == BatchStatus.OPEN:
        return
    if taking_out:
        raise InvalidTransition(N_("Batch %(code)s is already dispatched: nothing can be taken out of it."), code=code)
    raise InvalidTransition(N_("Batch %(code)s is already dispatched: nothing can be added to it."), code=code)
