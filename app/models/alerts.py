"""Alerts: what happened (an alert), who sees it in the app, what must still be sent
(the outbox), each user's channels, the group robots, and the record of each daily digest."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.org import Region, Store, User, enum_column
from app.models.types import UTCDateTime


class Channel(StrEnum):
    EMAIL = "email"
    WECOM = "wecom"
    DINGTALK = "dingtalk"


class RobotKind(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"


class AudienceKind(StrEnum):
    """Whose group a robot speaks to, and whom an alert is for."""

    STORE = "store"
    REGION = "region"
    WORKSHOP = "workshop"
    FINANCE = "finance"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by one sender; another sender leaves it alone
    SENT = "sent"
    FAILED = "failed"


class Alert(db.Model):
    """One thing people must hear about, once: its key says which event it is."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The sentence is a message id (English msgid) and its parameters: each recipient reads
    # it in their own language, rendered when it is shown or sent.
    message: Mapped[str] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    details: Mapped[list] = mapped_column(JSON, default=list)  # short lines: text, or [message id, params]
    link: Mapped[str] = mapped_column(String(300), default="")  # a path; BASE_URL makes it absolute
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Notification(db.Model):
    """An alert in a user's in-app list (the bell)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[Alert] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("alert_id", "user_id", name="uq_notification_alert_user"),
        # The bell's count (a user's unread) reads this index; the list (newest first, a
        # keyset page) the next: a technician hears of every parcel, 100,000 notes a year.
        Index("ix_notification_user_read", "user_id", "read_at", "id"),
        Index("ix_notification_user_id", "user_id", "id"),
    )


class RobotWebhook(db.Model):
    """A group chat's robot (企业微信 / 钉钉) for a store, a region or the workshop."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RobotKind] = mapped_column(enum_column(RobotKind, name="robot_kind"))
    audience: Mapped[AudienceKind] = mapped_column(enum_column(AudienceKind, name="robot_audience"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200), default="")  # DingTalk signing secret; never shown in full
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    store: Mapped[Store | None] = relationship()
    region: Mapped[Region | None] = relationship()

    __table_args__ = (
        CheckConstraint("audience <> 'store' OR store_id IS NOT NULL", name="store_robot_has_store"),
        CheckConstraint("audience <> 'region' OR region_id IS NOT NULL", name="region_robot_has_region"),
        CheckConstraint("audience <> 'finance'", name="no_finance_robot"),
    )


class AlertPreference(db.Model):
    """A user's channels: in the app always; e-mail and the group robot by choice."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, autoincrement=False)
    email: Mapped[str] = mapped_column(String(254), default="")
    email_enabled: Mapped[bool] = mapped_column(default=False)
    robot_enabled: Mapped[bool] = mapped_column(default=True)

    user: Mapped[User] = relationship()


class OutboxMessage(db.Model):
    """One alert to one recipient on one channel, written with the change that caused it and
    sent after its commit. The unique key makes a second writing of the same event a no-op."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, name="outbox_channel"))
    recipient: Mapped[str] = mapped_column(String(40))  # "user:12" or "robot:3"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("robot_webhook.id"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, name="outbox_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    alert: Mapped[Alert] = relationship()
    user: Mapped[User | None] = relationship()
    robot: Mapped[RobotWebhook | None] = relationship()

    __table_args__ = (
        UniqueConstraint("alert_id", "channel", "recipient", name="uq_outbox_alert_channel_recipient"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        CheckConstraint("(user_id IS NULL) <> (robot_id IS NULL)", name="one_recipient"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )


class DigestRun(db.Model):
    """A daily run of one kind of digest: the unique (kind, day) lets only one scheduler run it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    alerts: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("kind", "day", name="uq_digest_run_kind_day"),)
