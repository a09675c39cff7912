"""Telling people: who hears of what, the alert written with the change that caused it, and
what each user reads in the app.

A service calls :func:`notify` inside its transaction. It writes the alert, an in-app
notification per user and an outbox row per recipient and channel (e-mail, the group
robots), all in the caller's session: a change that rolls back leaves no alert, and the
alert's unique key makes a second notice of the same event a no-op. After the commit the
outbox is sent (``app.services.outbox``), in each recipient's language.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, contains_eager

from app import background, clock
from app.i18n import normalise_locale, translate
from app.models import (
    Alert,
    AlertPreference,
    AudienceKind,
    Channel,
    Notification,
    OutboxMessage,
    Region,
    RobotKind,
    RobotWebhook,
    Setting,
    Store,
    User,
)
from workshop.errors import RuleViolation
from workshop.roles import Role
from workshop.text import N_

DEFAULT_LOCALE = "zh_Hans"
MORE_LINES = N_("… and %(n)d more")

# --- Who hears ------------------------------------------------------------------------

AUDIENCE_ROLES = {
    AudienceKind.STORE: Role.STORE,
    AudienceKind.REGION: Role.REGION,
    AudienceKind.WORKSHOP: Role.TECHNICIAN,
    AudienceKind.FINANCE: Role.FINANCE,
}


@dataclass(frozen=True)
class Audience:
    """The people of one place: a store's staff, a region's managers, the workshop, finance."""

    kind: AudienceKind
    id: int | None = None

    @classmethod
    def store(cls, store_id: int) -> "Audience":
        return cls(AudienceKind.STORE, store_id)

    @classmethod
    def region(cls, region_id: int) -> "Audience":
        return cls(AudienceKind.REGION, region_id)

    @classmethod
    def workshop(cls) -> "Audience":
        return cls(AudienceKind.WORKSHOP)

    @classmethod
    def finance(cls) -> "Audience":
        return cls(AudienceKind.FINANCE)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}" if self.id is not None else self.kind.value

    def scope_user(self) -> User:
        """A user who sees exactly what this audience sees (unsaved), for the scoped queries."""
        return User(
            role=AUDIENCE_ROLES[self.kind],
            store_id=self.id if self.kind == AudienceKind.STORE else None,
            region_id=self.id if self.kind == AudienceKind.REGION else None,
        )


def users_of(session: Session, audience: Audience) -> list[User]:
    query = select(User).where(User.active.is_(True), User.role == AUDIENCE_ROLES[audience.kind])
    if audience.kind == AudienceKind.STORE:
        query = query.where(User.store_id == audience.id)
    elif audience.kind == AudienceKind.REGION:
        query = query.where(User.region_id == audience.id)
    return list(session.scalars(query.order_by(User.id)))


def robots_of(session: Session, audience: Audience) -> list[RobotWebhook]:
    query = select(RobotWebhook).where(RobotWebhook.active.is_(True), RobotWebhook.audience == audience.kind)
    if audience.kind == AudienceKind.STORE:
        query = query.where(RobotWebhook.store_id == audience.id)
    elif audience.kind == AudienceKind.REGION:
        query = query.where(RobotWebhook.region_id == audience.id)
    return list(session.scalars(query.order_by(RobotWebhook.id)))


def path_for(endpoint: str, **values) -> str:
    """A page's path without a request (the links are made in services and background work)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute(path: str) -> str:
    if not path:
        return ""
    return current_app.config.get("BASE_URL", "").rstrip("/") + path


# --- Writing an alert -----------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    alert: Alert
    users: tuple[int, ...]
    outbox: tuple[int, ...]


def notify(
    session: Session,
    *,
    key: str,
    kind: str,
    message: str,
    params: dict | None = None,
    details: list | tuple = (),
    link: str = "",
    audiences: list[Audience] | tuple[Audience, ...],
) -> Written | None:
    """Tell these audiences, once: ``None`` when the event ``key`` was told before.

    ``message`` is a sentence marked with ``N_`` and ``params`` its values; ``details`` short
    lines, each a plain string (a code) or a ``[sentence, params]`` pair; ``link`` a path
    (:func:`path_for`). Everything is written in ``session`` and sent after its commit.
    """
    alert_id = _insert_alert(session, key, kind, message, params or {}, list(details), link)
    if alert_id is None:
        return None
    alert = session.get(Alert, alert_id)
    smtp = bool(current_app.config.get("SMTP_HOST"))
    users: dict[int, User] = {}
    rows: list[OutboxMessage] = []
    for audience in audiences:
        members = users_of(session, audience)
        preferences = _preferences(session, [u.id for u in members])
        for user in members:
            if user.id in users:
                continue
            users[user.id] = user
            choice = preferences.get(user.id)
            if smtp and choice is not None and choice.email_enabled and choice.email:
                rows.append(
                    OutboxMessage(
                        alert_id=alert_id, channel=Channel.EMAIL, recipient=f"user:{user.id}", user_id=user.id
                    )
                )
        # A group's robot speaks unless every member of the group has asked it not to.
        if members and not any(preferences.get(u.id) is None or preferences[u.id].robot_enabled for u in members):
            continue
        for robot in robots_of(session, audience):
            if any(r.robot_id == robot.id for r in rows):
                continue
            rows.append(
                OutboxMessage(
                    alert_id=alert_id,
                    channel=Channel(robot.kind.value),
                    recipient=f"robot:{robot.id}",
                    robot_id=robot.id,
                )
            )
    session.add_all(Notification(alert_id=alert_id, user_id=user_id) for user_id in users)
    session.add_all(rows)
    session.flush()
    outbox_ids = tuple(r.id for r in rows)
    if outbox_ids:
        from app.services import outbox

        background.collect(session, outbox.deliver).extend(outbox_ids)
    return Written(alert, tuple(users), outbox_ids)


def _insert_alert(session: Session, key, kind, message, params, details, link) -> int | None:
    return insert_once(
        session,
        Alert,
        ["key"],
        key=key,
        kind=kind,
        message=message,
        params=params,
        details=details,
        link=link,
        created_at=clock.now(),
    )


def insert_once(session: Session, model, unique_columns: list[str], **values) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING, returning the new id or ``None``: a second writing of
    the same key neither fails the caller's transaction nor writes anything. Two writers at
    once: the second waits for the first's commit, then finds the row and writes nothing."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=unique_columns).returning(model.id)
    return session.execute(statement).scalar_one_or_none()


def _preferences(session: Session, user_ids: list[int]) -> dict[int, AlertPreference]:
    if not user_ids:
        return {}
    return {p.user_id: p for p in session.scalars(select(AlertPreference).where(AlertPreference.user_id.in_(user_ids)))}


# --- Reading an alert, in someone's language ------------------------------------------


@dataclass(frozen=True)
class Rendered:
    text: str
    details: tuple[str, ...] = ()
    url: str = ""  # absolute
    open_label: str = ""  # "Open in the app", in the reader's language

    @property
    def subject(self) -> str:
        return self.text if len(self.text) <= 90 else self.text[:89] + "…"


def render(alert: Alert, locale: str | None) -> Rendered:
    """The alert in the reader's language (their saved choice, Chinese by default)."""
    with force_locale(normalise_locale(locale) or DEFAULT_LOCALE):
        text = translate(alert.message, _visible_params(alert.params))
        details = tuple(line if isinstance(line, str) else translate(line[0], line[1]) for line in alert.details or ())
        more = (alert.params or {}).get("more")
        if more:
            details += (gettext(MORE_LINES) % {"n": more},)
        return Rendered(text, details, absolute(alert.link), gettext("Open in the app"))


def _visible_params(params: dict | None) -> dict:
    return {k: v for k, v in (params or {}).items() if k != "more"}


def shorten(lines: list[str], limit: int) -> tuple[list[str], int]:
    """The first ``limit`` lines and how many more there were: a message stays short."""
    return lines[:limit], max(len(lines) - limit, 0)


# --- The bell: a user's notifications -------------------------------------------------


@dataclass(frozen=True)
class Shown:
    id: int
    text: str
    details: tuple[str, ...]
    link: str  # a path within the app
    created_at: datetime
    read: bool


BELL_CAP = 100  # the bell says "99+" beyond: counting stops there, whatever a year of notes holds


def unread_count(session: Session, user: User, *, cap: int | None = None) -> int:
    """How many of the user's notifications are unread (at most ``cap``: the bell's count on
    every page costs the same for someone who never reads them)."""
    unread = select(Notification.id).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if cap is not None:
        unread = unread.limit(cap)
    return session.scalar(select(func.count()).select_from(unread.subquery())) or 0


def notifications(
    session: Session,
    user: User,
    locale: str | None,
    *,
    unread_only: bool = False,
    before: int | None = None,
    per_page: int = 50,
) -> list[Shown]:
    """The user's notifications older than ``before`` (an id; the newest without it), newest
    first, in ``locale``: a keyset page, the same cost on the thousandth page as on the first."""
    query = (
        select(Notification)
        .join(Alert)
        .options(contains_eager(Notification.alert))
        .where(Notification.user_id == user.id)
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before is not None:
        query = query.where(Notification.id < before)
    shown = []
    for note in session.scalars(query.order_by(Notification.id.desc()).limit(per_page)):
        rendered = render(note.alert, locale)
        shown.append(
            Shown(note.id, rendered.text, rendered.details, note.alert.link, note.created_at, bool(note.read_at))
        )
    return shown


def open_notification(session: Session, user: User, notification_id: int, *, at: datetime | None = None) -> str | None:
    """Mark one of the user's notifications read and return the path it leads to (the list when
    it has none); ``None`` when it is not this user's (another's is as good as absent)."""
    note = session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
    if note is None:
        return None
    if note.read_at is None:
        note.read_at = at or clock.now()
        session.flush()
    link = note.alert.link or ""
    # A stored path only: never a way out of the app.
    return link if link.startswith("/") and not link.startswith("//") else ""


def mark_read(session: Session, user: User, ids: list[int] | None = None, *, at: datetime | None = None) -> int:
    """Mark some (or, with no ids, all) of this user's notifications read; others' are untouched."""
    statement = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=at or clock.now())
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    return session.execute(statement, execution_options={"synchronize_session": False}).rowcount


# --- A user's channels ----------------------------------------------------------------

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def preferences(session: Session, user: User) -> AlertPreference:
    """The user's channels; the defaults (app and group robot, no e-mail) when never chosen."""
    found = session.get(AlertPreference, user.id)
    return found or AlertPreference(user_id=user.id, email="", email_enabled=False, robot_enabled=True)


def set_preferences(
    session: Session, user: User, *, email: str, email_enabled: bool, robot_enabled: bool
) -> AlertPreference:
    email = email.strip()
    if email and not EMAIL_PATTERN.match(email):
        raise RuleViolation(N_("%(email)s is not an e-mail address."), email=email)
    if email_enabled and not email:
        raise RuleViolation(N_("Enter your e-mail address to receive alerts by e-mail."))
    choice = session.get(AlertPreference, user.id) or AlertPreference(user_id=user.id)
    choice.email = email
    choice.email_enabled = email_enabled
    choice.robot_enabled = robot_enabled
    session.add(choice)
    session.flush()
    return choice


# --- Group robots ---------------------------------------------------------------------


@dataclass(frozen=True)
class RobotTarget:
    kind: RobotKind
    audience: AudienceKind
    url: str
    secret: str = ""
    store_id: int | None = None
    region_id: int | None = None
    name: str = ""
    locale: str = DEFAULT_LOCALE


def _check_robot(target: RobotTarget) -> None:
    parts = urlsplit(target.url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RuleViolation(N_("%(url)s is not a web address (it starts with https://)."), url=target.url)
    if target.audience == AudienceKind.FINANCE:
        raise RuleViolation(N_("A group robot belongs to a store, a region or the workshop."))
    if target.audience == AudienceKind.STORE and target.store_id is None:
        raise RuleViolation(N_("Choose the store whose group this robot speaks to."))
    if target.audience == AudienceKind.REGION and target.region_id is None:
        raise RuleViolation(N_("Choose the region whose group this robot speaks to."))


def add_robot(session: Session, target: RobotTarget) -> RobotWebhook:
    _check_robot(target)
    robot = RobotWebhook(
        kind=target.kind,
        audience=target.audience,
        store_id=target.store_id if target.audience == AudienceKind.STORE else None,
        region_id=target.region_id if target.audience == AudienceKind.REGION else None,
        name=target.name.strip(),
        url=target.url.strip(),
        secret=target.secret.strip(),
        locale=normalise_locale(target.locale) or DEFAULT_LOCALE,
    )
    session.add(robot)
    session.flush()
    return robot


def update_robot(
    session: Session, robot: RobotWebhook, *, url: str | None = None, secret: str | None = None, **changes
) -> RobotWebhook:
    """Change a robot; a secret left empty keeps the stored one (the form never shows it)."""
    if url is not None and url.strip():
        _check_robot(RobotTarget(robot.kind, robot.audience, url, store_id=robot.store_id, region_id=robot.region_id))
        robot.url = url.strip()
    if secret:
        robot.secret = secret.strip()
    for name in ("name", "active"):
        if name in changes:
            setattr(robot, name, changes[name])
    if "locale" in changes:
        robot.locale = normalise_locale(changes["locale"]) or DEFAULT_LOCALE
    session.flush()
    return robot


def robots(session: Session) -> list[RobotWebhook]:
    return list(session.scalars(robots_query()))


def robots_query(search: str = "") -> Select:
    """The robots, workshop first, then regions' and stores' (by code); ``search`` finds a
    robot by its name or its store's or region's code or name."""
    query = (
        select(RobotWebhook)
        .outerjoin(Store, Store.id == RobotWebhook.store_id)
        .outerjoin(Region, Region.id == RobotWebhook.region_id)
        .options(contains_eager(RobotWebhook.store), contains_eager(RobotWebhook.region))
    )
    search = search.strip()
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(
                RobotWebhook.name.ilike(like),
                Store.code.ilike(like),
                Store.name.ilike(like),
                Region.code.ilike(like),
                Region.name.ilike(like),
            )
        )
    return query.order_by(RobotWebhook.audience, Region.code, Store.code, RobotWebhook.id)


def store_by_code(session: Session, code: str) -> Store:
    """The store a robot is for, typed by its code (a form that works with 2,000 stores)."""
    if not code.strip():
        raise RuleViolation(N_("Choose the store whose group this robot speaks to."))
    found = session.scalar(select(Store).where(func.upper(Store.code) == code.strip().upper()))
    if found is None:
        raise RuleViolation(N_("There is no store with the code %(code)s."), code=code.strip())
    return found


def masked_secret(secret: str) -> str:
    """Enough of a secret to recognise it, never enough to use it."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "•" * 6
    return secret[:3] + "•" * 6 + secret[-4:]


def masked_url(url: str) -> str:
    """The webhook address with its token (access_token=, key=) masked: the token is the password."""
    parts = urlsplit(url)
    query = [
        (k, masked_secret(v) if k.lower() in ("access_token", "key", "token") else v) for k, v in parse_qsl(parts.query)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="•")))


# --- Settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertSettings:
    digest_hour: int = 8  # chain time
    return_reminder_days: int = 3
    claim_outstanding_days: int = 30


ALERT_SETTINGS = {  # key: (default, lowest, highest)
    "digest_hour": (8, 0, 23),
    "return_reminder_days": (3, 1, 30),
    "claim_outstanding_days": (30, 7, 180),
}
SETTING_PREFIX = "alerts."


def alert_settings(session: Session) -> AlertSettings:
    stored = {
        s.key[len(SETTING_PREFIX) :]: s.value
        for s in session.scalars(select(Setting).where(Setting.key.startswith(SETTING_PREFIX)))
    }
    values = {}
    for key, (default, low, high) in ALERT_SETTINGS.items():
        try:
            value = int(stored.get(key, default))
        except ValueError:
            value = default
        values[key] = min(max(value, low), high)
    return AlertSettings(**values)


def set_alert_setting(session: Session, key: str, value: int) -> None:
    default, low, high = ALERT_SETTINGS[key]
    if not low <= value <= high:
        raise RuleViolation(N_("%(value)d is outside %(low)d–%(high)d."), value=value, low=low, high=high)
    setting = session.get(Setting, SETTING_PREFIX + key) or Setting(key=SETTING_PREFIX + key)
    setting.value = str(value)
    session.add(setting)
    session.flush()
