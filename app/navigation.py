"""The menu: each blueprint adds its own entries, for the roles that use them."""

from dataclasses import dataclass

from flask import Flask

from workshop.roles import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # untranslated; the template translates it
    roles: frozenset[Role]
    order: int = 50


def add(app: Flask, endpoint: str, label: str, roles, order: int = 50) -> None:
    items = app.extensions.setdefault("nav", [])
    items.append(NavItem(endpoint, label, frozenset(roles), order))
    items.sort(key=lambda i: i.order)


def for_role(app: Flask, role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [i for i in app.extensions.get("nav", []) if role in i.roles]
