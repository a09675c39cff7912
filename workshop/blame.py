"""Rules 3 and 4 — who bears a scrap piece's cost, as a suggestion with its reason.

The defect code and the inspection window *suggest*; the technician decides and may
override with a written reason.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from workshop.statuses import Blame, DefectKind, Source
from workshop.text import N_

INSPECTION_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Suggestion:
    blame: Blame
    reason: str  # an untranslated sentence with %(name)s placeholders
    params: dict[str, object] = field(default_factory=dict)
    rule: str = "rule4"

    def text(self, translate: Callable[[str], str] = lambda s: s) -> str:
        sentence: str = translate(self.reason)
        return sentence % self.params if self.params else sentence


def days_late_for_inspection(
    source: Source, delivery_received_on: date | None, registered_on: date, window_days: int = INSPECTION_WINDOW_DAYS
) -> int | None:
    """Rule 3: days since the delivery, when that is beyond the window; else None."""
    if source != Source.DELIVERY or delivery_received_on is None:
        return None
    days = (registered_on - delivery_received_on).days
    return days if days > window_days else None


def suggest_blame(
    *,
    defect_kind: DefectKind | None,
    defect_blame: Blame | None,
    source: Source,
    delivery_received_on: date | None,
    registered_on: date,
    window_days: int = INSPECTION_WINDOW_DAYS,
) -> Suggestion:
    late = days_late_for_inspection(source, delivery_received_on, registered_on, window_days)
    if late is not None and defect_kind == DefectKind.NON_QUALITY:
        return Suggestion(
            Blame.STORE,
            N_("Registered %(days)d days after the delivery (more than %(window)d): damage is charged to the store."),
            {"days": late, "window": window_days},
            rule="rule3",
        )
    if defect_kind == DefectKind.QUALITY:
        return Suggestion(
            defect_blame or Blame.SUPPLIER,
            N_("A quality defect: a manufacturing fault is charged to the supplier."),
        )
    if defect_kind == DefectKind.NON_QUALITY and defect_blame is not None:
        return Suggestion(defect_blame, N_("The defect code suggests who caused it."))
    return Suggestion(Blame.HQ, N_("The cause cannot be told: head office bears the cost."))


def inspection_warning(
    source: Source, delivery_received_on: date | None, registered_on: date, window_days: int = INSPECTION_WINDOW_DAYS
) -> Suggestion | None:
    """What the store is told at the counter when rule 3 applies to what it registers."""
    late = days_late_for_inspection(source, delivery_received_on, registered_on, window_days)
    if late is None:
        return None
    return Suggestion(
        Blame.STORE,
        N_(
            "Registered %(days)d days after the delivery: damage by people (torn, dirty…) will be charged to the store."
        ),
        {"days": late},
        rule="rule3",
    )
