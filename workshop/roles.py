from enum import StrEnum

from workshop.text import N_


class Role(StrEnum):
    STORE = "store"
    REGION = "region"
    TECHNICIAN = "technician"
    FINANCE = "finance"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.STORE: N_("Store staff"),
    Role.REGION: N_("Region manager"),
    Role.TECHNICIAN: N_("Technician"),
    Role.FINANCE: N_("Finance"),
    Role.ADMIN: N_("Administrator"),
}
