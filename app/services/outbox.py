"""Sending the outbox after the commit: each row once, retried with back-off, failed for good
after the last try with its error, and listed for the admin.

A row is *claimed* (pending → sending) by a conditional UPDATE in its own short transaction,
so two senders (the after-commit job and ``flask send-outbox`` from cron, say) never send it
twice; no transaction stays open while the mail server or the robot answers. A sender that
dies leaves its row in *sending*: after ``STUCK_AFTER`` the sweep puts it back to pending.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app import background, clock
from app.database import writes
from app.extensions import db
from app.models import AlertPreference, Channel, DeliveryStatus, OutboxMessage, RobotWebhook
from app.services import alerts, channels

log = logging.getLogger(__name__)
STUCK_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Envelope:
    """Everything needed to send one row, read before sending so no transaction stays open."""

    id: int
    channel: Channel
    rendered: alerts.Rendered
    address: str = ""  # e-mail address or webhook URL
    secret: str = ""


def deliver(ids: list[int]) -> int:
    """Send these rows now (the work handed on by a commit); returns how many were sent."""
    return sum(send_one(row_id) for row_id in ids)


@writes
def send_due(limit: int = 500) -> int:
    """Send every row whose time has come: first tries a commit did not send, and retries."""
    now = clock.now()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == DeliveryStatus.SENDING, OutboxMessage.claimed_at < now - STUCK_AFTER)
        .values(status=DeliveryStatus.PENDING, claimed_at=None)
    )
    db.session.commit()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    return deliver(list(due))


def send_one(row_id: int) -> bool:
    envelope = _claim(row_id)
    if envelope is None:
        return False
    error = ""
    try:
        _send(envelope)
    except channels.DeliveryFailed as exc:
        error = str(exc)
    except Exception as exc:  # a bug must not leave the row claimed for ever
        log.exception("sending outbox row %s failed", row_id)
        error = f"{exc.__class__.__name__}: {exc}"
    _record(row_id, error)
    return not error


@writes
def _claim(row_id: int) -> Envelope | None:
    now = clock.now()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == DeliveryStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(status=DeliveryStatus.SENDING, claimed_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    row = db.session.get(OutboxMessage, row_id)
    envelope = _envelope(row)
    db.session.commit()
    return envelope


def _envelope(row: OutboxMessage) -> Envelope:
    if row.channel == Channel.EMAIL:
        choice = db.session.get(AlertPreference, row.user_id)
        return Envelope(
            row.id, row.channel, alerts.render(row.alert, row.user.locale), address=choice.email if choice else ""
        )
    robot = row.robot
    return Envelope(row.id, row.channel, alerts.render(row.alert, robot.locale), address=robot.url, secret=robot.secret)


def _send(envelope: Envelope) -> None:
    config = current_app.config
    timeout = float(config.get("ALERT_SEND_TIMEOUT", 10))
    message = envelope.rendered
    if envelope.channel == Channel.EMAIL:
        if not envelope.address:
            raise channels.DeliveryFailed("the user has no e-mail address")
        channels.send_email(
            channels.SmtpSettings.from_config(config), envelope.address, message.subject, plain(message)
        )
    elif envelope.channel == Channel.WECOM:
        channels.post_wecom(envelope.address, markdown(message), timeout)
    else:
        channels.post_dingtalk(envelope.address, envelope.secret, message.subject, markdown(message), timeout)


def test_robot(robot: RobotWebhook) -> str:
    """Send a test message to a robot now (the admin's "send a test" button): its error, or ""."""
    with force_locale(robot.locale or alerts.DEFAULT_LOCALE):
        text = gettext("A test message from the repair workshop: this group will receive its alerts here.")
        rendered = alerts.Rendered(text, (), alerts.absolute("/"), gettext("Open in the app"))
    try:
        _send(Envelope(0, Channel(robot.kind.value), rendered, address=robot.url, secret=robot.secret))
    except channels.DeliveryFailed as exc:
        return str(exc)
    return ""


def plain(message: alerts.Rendered) -> str:
    lines = [message.text, ""] + [f"  {line}" for line in message.details]
    if message.url:
        lines += ["", f"{message.open_label}: {message.url}"]
    return "\n".join(lines).strip() + "\n"


def markdown(message: alerts.Rendered) -> str:
    lines = [f"**{message.text}**"] + [f"> {line}" for line in message.details]
    if message.url:
        lines.append(f"[{message.open_label}]({message.url})")
    return "\n".join(lines)


@writes
def _record(row_id: int, error: str) -> None:
    now = clock.now()
    row = db.session.get(OutboxMessage, row_id, populate_existing=True)
    row.attempts += 1
    row.claimed_at = None
    if not error:
        row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, ""
    else:
        row.last_error = error[:2000]
        if row.attempts >= int(current_app.config.get("ALERT_MAX_ATTEMPTS", 5)):
            row.status, row.next_attempt_at = DeliveryStatus.FAILED, now  # when it was last tried
            log.warning("outbox row %s failed for good after %s tries: %s", row_id, row.attempts, error)
        else:
            row.status = DeliveryStatus.PENDING
            row.next_attempt_at = now + retry_delay(row.attempts)
    db.session.commit()


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: the base, then four times longer after each failure (1, 4, 16, 64 min)."""
    base = int(current_app.config.get("ALERT_RETRY_SECONDS", 60))
    return timedelta(seconds=base * 4 ** max(attempts - 1, 0))


# --- For the admin --------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    id: int
    channel: Channel
    recipient: str  # the user's name or the robot's name (URL masked)
    text: str
    attempts: int
    last_error: str
    created_at: datetime
    last_try_at: datetime | None


def failures(locale: str | None, *, before: int | None = None, per_page: int = 50) -> list[Failure]:
    """Rows that failed for good older than ``before`` (an id), newest first, with what went
    wrong: the admin's list, a keyset page with its alert, user and robot read in one go."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == DeliveryStatus.FAILED)
        .options(selectinload(OutboxMessage.alert), selectinload(OutboxMessage.user), selectinload(OutboxMessage.robot))
    )
    if before is not None:
        query = query.where(OutboxMessage.id < before)
    found = []
    for row in db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(per_page)):
        if row.user is not None:
            who = f"{row.user.display_name} ({row.user.username})"
        else:
            who = row.robot.name or alerts.masked_url(row.robot.url)
        found.append(
            Failure(
                row.id,
                row.channel,
                who,
                alerts.render(row.alert, locale).text,
                row.attempts,
                row.last_error,
                row.created_at,
                row.next_attempt_at,
            )
        )
    return found


def failure_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == DeliveryStatus.FAILED)
        )
        or 0
    )


def retry(row_id: int, at: datetime | None = None) -> bool:
    """Send a failed row again (after the admin fixed the address): it gets its tries back."""
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == DeliveryStatus.FAILED)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=at or clock.now()),
        execution_options={"synchronize_session": False},
    ).rowcount
    if changed:
        background.collect(db.session, deliver).append(row_id)
    return changed == 1


def status_counts(statuses=(DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED)) -> dict:
    """How many rows are in each of these states. The default leaves out *sent* — every
    message ever sent, millions in a year — so that the admin's page counts only the few
    rows still in play, each an index range of ``ix_outbox_status_next``."""
    return {
        status: db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status))
        or 0
        for status in statuses
    }
