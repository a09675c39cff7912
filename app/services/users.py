"""People: users are created and changed the one way, from the admin pages and the command line."""

from sqlalchemy import select

from app.extensions import db
from app.models import Region, Store, User
from workshop.errors import RuleViolation
from workshop.roles import Role
from workshop.text import N_

MIN_PASSWORD = 8


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise RuleViolation(N_("A password needs at least %(n)d characters."), n=MIN_PASSWORD)
    user.set_password(password)


def assign(
    user: User,
    role: Role,
    store: Store | None,
    region: Region | None,
    *,
    active: bool = True,
    acting: User | None = None,
) -> None:
    """Give a user a role, with the store or region the role needs (and nothing the role does not)."""
    if role == Role.STORE and store is None:
        raise RuleViolation(N_("Store staff must belong to a store."))
    if role == Role.REGION and region is None:
        raise RuleViolation(N_("A region manager must have a region."))
    if acting is not None and user.id is not None and user.id == acting.id and (not active or role != Role.ADMIN):
        raise RuleViolation(N_("You cannot take away your own administrator access."))
    user.role = role
    user.store = store if role == Role.STORE else None
    user.region = region if role == Role.REGION else None
    user.active = active


def username_taken(username: str, other_than: User | None = None) -> bool:
    found = db.session.scalars(select(User).where(User.username == username)).first()
    return found is not None and found is not other_than


def create_user(
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    store: Store | None = None,
    region: Region | None = None,
    locale: str | None = None,
    active: bool = True,
    acting: User | None = None,
) -> User:
    username = username.strip()
    if not username or not display_name.strip():
        raise RuleViolation(N_("A user needs a user name and a name."))
    if username_taken(username):
        raise RuleViolation(N_("User %(username)s already exists."), username=username)
    user = User(username=username, display_name=display_name.strip(), locale=locale)
    assign(user, role, store, region, active=active, acting=acting)
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user
