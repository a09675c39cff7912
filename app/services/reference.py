"""The chain's reference data (stores, regions, suppliers, products, defect codes, repair
operations, spare parts, users), created and changed by the administrator."""

from sqlalchemy import select

from app.extensions import db
from app.models import Printer, Product, Region, Store, User
from app.models.printers import PrinterLanguage
from app.services import users
from workshop.errors import RuleViolation
from workshop.guarantee import GuaranteeCategory
from workshop.roles import Role
from workshop.statuses import Blame, DefectKind
from workshop.text import N_


def save_entry(model: type, item: object | None, values: dict, key: str) -> object:
    """Create or change one entry; its code must not be another entry's."""
    key_value = str(values[key]).strip()
    taken = db.session.scalar(select(model).where(getattr(model, key) == key_value))
    if taken is not None and taken is not item:
        raise RuleViolation(N_("This code is already used."))
    target = item if item is not None else model()
    for name, value in values.items():
        if hasattr(target, name):
            setattr(target, name, value.strip() if isinstance(value, str) else value)
    db.session.add(target)
    db.session.flush()
    return target


def save_defect(item: object | None, values: dict) -> object:
    values = dict(values)
    values["kind"] = DefectKind(values["kind"])
    values["suggested_blame"] = Blame(values["suggested_blame"]) if values.get("suggested_blame") else None
    from app.models import DefectCode

    return save_entry(DefectCode, item, values, "code")


def save_product(item: object | None, values: dict) -> object:
    values = dict(values)
    values["guarantee_category"] = (
        GuaranteeCategory(values["guarantee_category"]) if values.get("guarantee_category") else None
    )
    return save_entry(Product, item, values, "style_code")


def save_user(item: User | None, values: dict, acting: User) -> User:
    """A user from the admin page: the role with its store or region, a password when given."""
    role = Role(values["role"])
    store = db.session.get(Store, values["store_id"]) if values.get("store_id") else None
    region = db.session.get(Region, values["region_id"]) if values.get("region_id") else None
    if item is None:
        if not values.get("password"):
            raise RuleViolation(N_("Give the new user a password (at least 8 characters)."))
        if users.username_taken(values["username"].strip()):
            raise RuleViolation(N_("This code is already used."))
        return users.create_user(
            username=values["username"],
            display_name=values["display_name"],
            role=role,
            password=values["password"],
            store=store,
            region=region,
            active=bool(values.get("active")),
            acting=acting,
        )
    if users.username_taken(values["username"].strip(), other_than=item):
        raise RuleViolation(N_("This code is already used."))
    users.assign(item, role, store, region, active=bool(values.get("active")), acting=acting)
    item.username = values["username"].strip()
    item.display_name = values["display_name"].strip()
    if values.get("password"):
        users.set_password(item, values["password"])
    db.session.flush()
    return item


def save_printer(item: object | None, values: dict) -> object:
    """A label printer: a store's (its piece labels) or the workshop's (none given)."""
    values = dict(values)
    values["store_id"] = values.get("store_id") or None
    if values["store_id"] is not None and db.session.get(Store, values["store_id"]) is None:
        raise RuleViolation(N_("Unknown store."))
    values["language"] = PrinterLanguage(values["language"])
    return save_entry(Printer, item, values, "code")
