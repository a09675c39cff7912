"""What is worth telling, and to whom: the alerts the use cases raise when something moves,
and the daily run (08:00 chain time) of digests and reminders.

Each producer takes the session and the objects, writes through ``alerts.notify`` in the
caller's transaction and returns what it wrote (``None`` when there was nothing to tell or
it was told before). A store only ever hears of its own parcels and pieces; its region's
managers hear of the region's stores.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.database import writes
from app.extensions import db
from app.models import AccountingMonth, Batch, Claim, DigestRun, Piece, Region, RobotWebhook, Store, User
from app.services import alerts, deadlines
from app.services.alerts import Audience, Written
from app.services.settings import Rules
from app.services.settings import rules as current_rules
from app.templating import money as money_in_locale
from workshop.money import Month, total
from workshop.quota import IsoWeek
from workshop.roles import Role
from workshop.statuses import BatchStatus, ClaimStatus, Direction, PieceStatus
from workshop.text import N_

log = logging.getLogger(__name__)
DETAIL_LINES = 10  # a message names at most this many pieces, then says how many more


def _lines(lines: list, limit: int = DETAIL_LINES) -> tuple[list, dict]:
    shown, more = alerts.shorten(lines, limit)
    return shown, ({"more": more} if more else {})


def money(amount) -> str:
    # Amounts are written into the alert once, for every reader: ¥1,234.00 reads the same in both languages.
    with force_locale(alerts.DEFAULT_LOCALE):
        return money_in_locale(amount)


def _piece_line(label: str, piece: Piece) -> list:
    return [label, {"code": piece.code, "product": piece.product.name}]


# --- When something moves -------------------------------------------------------------


def parcel_dispatched(session: Session, batch: Batch) -> Written | None:
    """A store dispatched its parcel: the workshop expects it."""
    if batch.direction != Direction.OUTBOUND:
        return None
    return alerts.notify(
        session,
        key=f"parcel_dispatched:{batch.id}",
        kind="parcel_dispatched",
        message=N_(
            "Parcel %(batch)s from %(store)s is on its way to the workshop (pieces: %(count)d; %(carrier)s %(tracking)s)."
        ),
        params={
            "batch": batch.code,
            "store": batch.store.name,
            "count": batch.expected_count or len(batch.pieces),
            "carrier": batch.carrier,
            "tracking": batch.tracking_no,
        },
        link=alerts.path_for("pieces.batch", batch_id=batch.id),
        audiences=[Audience.workshop()],
    )


def exchange_decided(session: Session, piece: Piece) -> Written | None:
    """Rule 6: the workshop chose an exchange; the store gives its customer a new piece."""
    return alerts.notify(
        session,
        key=f"exchange:{piece.id}:{piece.trip}",
        kind="exchange",
        message=N_(
            "Piece %(code)s (%(product)s) came back for the same defect after two repairs: the workshop scrapped "
            "it. Give the customer a new piece in exchange."
        ),
        params={"code": piece.code, "product": piece.product.name},
        link=alerts.path_for("pieces.piece", piece_id=piece.id),
        audiences=[Audience.store(piece.store_id)],
    )


def check_closed(session: Session, batch: Batch) -> Written | None:
    """The workshop closed the check of a parcel with pieces missing or unexpected: its store
    and the store's region hear of it, with the pieces named."""
    if batch.direction != Direction.OUTBOUND:
        return None
    missing = [p for p in batch.pieces if p.status == PieceStatus.MISSING]
    unexpected = [p for p in batch.pieces if p.unexpected]
    if not missing and not unexpected:
        return None
    named = [(N_("Missing: %(code)s %(product)s"), p) for p in missing]
    named += [(N_("Unexpected: %(code)s %(product)s"), p) for p in unexpected]
    shown, more = _lines(named)
    details = [_piece_line(label, piece) for label, piece in shown]
    concerned = missing + unexpected
    link = (
        alerts.path_for("pieces.piece", piece_id=concerned[0].id)
        if len(concerned) == 1
        else alerts.path_for("pieces.batch", batch_id=batch.id)
    )
    return alerts.notify(
        session,
        key=f"check_closed:{batch.id}",
        kind="check_closed",
        message=N_(
            "The workshop checked parcel %(batch)s of %(store)s — missing: %(missing)d, unexpected: %(unexpected)d."
        ),
        params={
            "batch": batch.code,
            "store": batch.store.name,
            "missing": len(missing),
            "unexpected": len(unexpected),
            **more,
        },
        details=details,
        link=link,
        audiences=[Audience.store(batch.store_id), Audience.region(batch.store.region_id)],
    )


def return_dispatched(session: Session, batch: Batch) -> Written | None:
    """The workshop dispatched a return parcel: the store is told to expect it and scan it in."""
    if batch.direction != Direction.RETURN:
        return None
    return alerts.notify(
        session,
        key=f"return_dispatched:{batch.id}",
        kind="return_dispatched",
        message=N_(
            "Return parcel %(batch)s is on its way to you (pieces: %(count)d; %(carrier)s %(tracking)s). Scan them in when it arrives."
        ),
        params={
            "batch": batch.code,
            "count": batch.expected_count or len(batch.return_pieces),
            "carrier": batch.carrier,
            "tracking": batch.tracking_no,
        },
        link=alerts.path_for("store.receive_batch", batch_id=batch.id),
        audiences=[Audience.store(batch.store_id)],
    )


# --- The daily run --------------------------------------------------------------------


def returns_not_received(session: Session, now: datetime, days: int, rules: Rules) -> int:
    """Return parcels dispatched ``days`` ago or more whose pieces are not all scanned back:
    the store is reminded once per parcel."""
    still_out = (
        select(Piece.return_batch_id, func.count())
        .where(Piece.status == PieceStatus.RETURNING)
        .group_by(Piece.return_batch_id)
        .subquery()
    )
    rows = session.execute(
        select(Batch, still_out.c[1])
        .join(still_out, still_out.c.return_batch_id == Batch.id)
        .where(
            Batch.direction == Direction.RETURN,
            Batch.status.in_([BatchStatus.DISPATCHED, BatchStatus.CHECKING]),
            Batch.dispatched_at <= now - timedelta(days=days),
        )
        .order_by(Batch.id)
    ).all()
    told = 0
    for batch, count in rows:
        written = alerts.notify(
            session,
            key=f"return_not_received:{batch.id}",
            kind="return_not_received",
            message=N_(
                "Return parcel %(batch)s was dispatched to you on %(date)s; pieces not yet scanned in: %(count)d. Scan them in, or tell the workshop if the parcel has not arrived."
            ),
            params={
                "batch": batch.code,
                "date": batch.dispatched_at.astimezone(rules.tz).date().isoformat(),
                "count": count,
            },
            link=alerts.path_for("store.receive_batch", batch_id=batch.id),
            audiences=[Audience.store(batch.store_id)],
        )
        told += written is not None
    return told


def deadline_digests(session: Session, today: date, rules: Rules) -> int:
    """One message a day per place with pieces at risk or overdue: the workshop's whole list
    to its technicians, each store's own to it, each region's own to its managers."""
    told = 0
    for audience, link in _digest_audiences(session):
        counts = deadlines.counts(audience.scope_user(), rules, today)
        at_risk, overdue = counts.at_risk, counts.overdue
        if not at_risk and not overdue:
            continue
        written = alerts.notify(
            session,
            key=f"deadlines:{today.isoformat()}:{audience}",
            kind="deadline_digest",
            message=N_(
                "Deadlines on %(date)s — overdue: %(overdue)d, at risk: %(at_risk)d (due within %(days)d days)."
            ),
            params={"date": today.isoformat(), "overdue": overdue, "at_risk": at_risk, "days": rules.at_risk_days},
            link=link,
            audiences=[audience],
        )
        told += written is not None
    return told


def _digest_audiences(session: Session) -> list[tuple[Audience, str]]:
    """The workshop, and every store and region someone would hear in (a user or a robot)."""
    found = [(Audience.workshop(), alerts.path_for("bench.deadlines"))]
    store_ids = set(
        session.scalars(select(User.store_id).where(User.active.is_(True), User.role == Role.STORE).distinct())
    ) | set(session.scalars(select(RobotWebhook.store_id).where(RobotWebhook.active.is_(True)).distinct()))
    region_ids = set(
        session.scalars(select(User.region_id).where(User.active.is_(True), User.role == Role.REGION).distinct())
    ) | set(session.scalars(select(RobotWebhook.region_id).where(RobotWebhook.active.is_(True)).distinct()))
    active_stores = session.scalars(select(Store.id).where(Store.id.in_(store_ids - {None}), Store.active.is_(True)))
    found += [(Audience.store(i), alerts.path_for("store.index")) for i in sorted(active_stores)]
    regions = session.scalars(select(Region.id).where(Region.id.in_(region_ids - {None})))
    found += [(Audience.region(i), alerts.path_for("main.home")) for i in sorted(regions)]
    return found


def month_closable(session: Session, today: date) -> Written | None:
    """Finance hears once that last month has ended and can be closed."""
    month = Month.of(today).previous()
    closed = session.scalar(select(AccountingMonth.closed).where(AccountingMonth.month == month.key))
    if closed:
        return None
    return alerts.notify(
        session,
        key=f"month_closable:{month.key}",
        kind="month_closable",
        message=N_("%(month)s has ended: check its figures and close it."),
        params={"month": str(month)},
        link=alerts.path_for("finance.close", month=str(month)),
        audiences=[Audience.finance()],
    )


def claims_outstanding(session: Session, today: date, days: int) -> Written | None:
    """Claims sent to suppliers more than ``days`` ago and still unpaid: one reminder a week."""
    claims = session.scalars(
        select(Claim)
        .where(Claim.status == ClaimStatus.SENT, Claim.sent_on <= today - timedelta(days=days))
        .order_by(Claim.sent_on, Claim.id)
    ).all()
    if not claims:
        return None
    lines = [
        [
            N_("%(supplier)s, %(month)s: %(amount)s, sent on %(sent)s"),
            {
                "supplier": c.supplier.name,
                "month": str(Month.from_key(c.month)),
                "amount": money(c.amount),
                "sent": c.sent_on.isoformat(),
            },
        ]
        for c in claims
    ]
    details, more = _lines(lines)
    return alerts.notify(
        session,
        key=f"claims_outstanding:{IsoWeek.of(today).key}",
        kind="claims_outstanding",
        message=N_("Supplier claims sent more than %(days)d days ago and still unpaid: %(count)d, %(amount)s in all."),
        params={"count": len(claims), "days": days, "amount": money(total(c.amount for c in claims)), **more},
        details=details,
        link=alerts.path_for("finance.claims", status=ClaimStatus.SENT.value),
        audiences=[Audience.finance()],
    )


@dataclass(frozen=True)
class DailyRun:
    day: date
    ran: bool  # False: another scheduler ran today's already (or it is not yet the hour)
    alerts: int = 0


DAILY = "daily"


@writes
def run_daily(now: datetime | None = None, *, force: bool = False) -> DailyRun:
    """Today's digests and reminders, once per day whoever calls: the first caller claims
    (kind, day) in ``digest_run`` and writes the alerts in the same transaction; any other
    caller, at the same moment or later, finds the claim and sends nothing. Without
    ``force`` nothing runs before the digest hour (chain time)."""
    session = db.session
    now = now or clock.now()
    rules = current_rules()
    settings = alerts.alert_settings(session)
    local = now.astimezone(rules.tz)
    if not force and local.hour < settings.digest_hour:
        session.rollback()
        return DailyRun(local.date(), False)
    day = local.date()
    run_id = alerts.insert_once(session, DigestRun, ["kind", "day"], kind=DAILY, day=day, started_at=now)
    if run_id is None:
        session.rollback()
        return DailyRun(day, False)
    told = deadline_digests(session, day, rules)
    told += returns_not_received(session, now, settings.return_reminder_days, rules)
    told += month_closable(session, day) is not None
    told += claims_outstanding(session, day, settings.claim_outstanding_days) is not None
    session.get(DigestRun, run_id).alerts = told
    session.commit()
    log.info("daily run of %s: %s alerts", day, told)
    return DailyRun(day, True, told)
