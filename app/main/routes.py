from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock, navigation
from app.i18n import translate
from app.services import dashboard, deadlines, piece_lists
from app.services.settings import rules as current_rules
from workshop.clock import ClockState
from workshop.money import Month
from workshop.roles import Role
from workshop.statuses import IN_WORKSHOP, ON_THE_WAY_IN, READY_TO_GO_BACK
from workshop.statuses import PieceStatus as S
from workshop.text import N_

bp = Blueprint("main", __name__, template_folder="templates")


@bp.record_once
def _menu(state) -> None:
    navigation.add(state.app, "main.home", N_("Home"), set(Role), order=0)


@bp.route("/")
def index():
    return redirect(url_for("main.home") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/search")
@login_required
def search():
    """The header's search box: a code or tracking number opens its page; anything else lists matches."""
    text = request.args.get("q", "").strip()[:60]
    target = piece_lists.exact_target(current_user, text)
    if target is not None:
        kind, found_id = target
        if kind == "piece":
            return redirect(url_for("pieces.piece", piece_id=found_id))
        return redirect(url_for("pieces.batch", batch_id=found_id))
    return redirect(url_for("store.index", q=text or None))


@bp.route("/stores.json")
@login_required
def stores_json():
    """The store picker's suggestions: a few stores of the user's scope by code or name."""
    found = piece_lists.stores_matching(current_user, request.args.get("q", ""))
    return jsonify([{"id": s.id, "code": s.code, "name": s.name} for s in found])


def trip_figures(counts: dict) -> list[dashboard.Figure]:
    """Where a store's or region's pieces are on their trip, each leading to its list."""
    return [
        dashboard.Figure(
            translate(N_("On the way to the workshop")),
            sum(counts.get(s, 0) for s in ON_THE_WAY_IN),
            href=url_for("store.index", status="on_the_way"),
        ),
        dashboard.Figure(
            translate(N_("In the workshop")),
            sum(counts.get(s, 0) for s in IN_WORKSHOP),
            href=url_for("store.index", status="in_workshop"),
        ),
    ]


def clock_figures(rules, clocks: deadlines.Counts, endpoint: str) -> list[dashboard.Figure]:
    """At risk and overdue, each leading to the list (or the deadline board) of those pieces."""
    return [
        dashboard.Figure(
            translate(N_("Due within %(days)d days"), {"days": rules.at_risk_days}),
            clocks.at_risk,
            "warn" if clocks.at_risk else "",
            href=url_for(endpoint, clock=ClockState.AT_RISK.value),
        ),
        dashboard.Figure(
            translate(N_("Overdue")),
            clocks.overdue,
            "bad" if clocks.overdue else "",
            href=url_for(endpoint, clock=ClockState.OVERDUE.value),
        ),
    ]


@bp.route("/home")
@login_required
def home():
    rules = current_rules()
    today = clock.today()
    counts = dashboard.status_counts(current_user)
    clocks = deadlines.counts(current_user, rules, today)
    role = current_user.role
    figures: list[dashboard.Figure] = []
    context = {"today": today, "rules": rules}
    if role == Role.STORE:
        figures = [
            dashboard.Figure(
                translate(N_("Registered, not yet packed")),
                counts.get(S.REGISTERED, 0),
                href=url_for("store.index", status=S.REGISTERED.value),
            ),
            dashboard.Figure(
                translate(N_("Packed in the open batch")), counts.get(S.PACKED, 0), href=url_for("store.batch")
            ),
            *trip_figures(counts),
            dashboard.Figure(
                translate(N_("On the way back")), counts.get(S.RETURNING, 0), href=url_for("store.receive")
            ),
            *clock_figures(rules, clocks, "store.index"),
        ]
    elif role == Role.REGION:
        context["store_rows"] = dashboard.store_rows(current_user, rules, today)
        figures = [*trip_figures(counts), *clock_figures(rules, clocks, "bench.deadlines")]
    elif role == Role.TECHNICIAN or role == Role.ADMIN:
        rate = deadlines.on_time(current_user, rules, today)
        context["rate"] = rate
        figures = [
            dashboard.Figure(
                translate(N_("Parcels to receive")),
                dashboard.open_batches_to_check(current_user),
                href=url_for("bench.incoming"),
            ),
            dashboard.Figure(
                translate(N_("Received, not graded")),
                counts.get(S.RECEIVED, 0),
                href=url_for("bench.deadlines", status=S.RECEIVED.value),
            ),
            dashboard.Figure(
                translate(N_("Repairable, not repaired")),
                counts.get(S.REPAIRABLE, 0),
                href=url_for("bench.deadlines", status=S.REPAIRABLE.value),
            ),
            dashboard.Figure(
                translate(N_("Ready to go back")),
                sum(counts.get(s, 0) for s in READY_TO_GO_BACK),
                href=url_for("bench.returns_index"),
            ),
            *clock_figures(rules, clocks, "bench.deadlines"),
        ]
    if role in (Role.FINANCE, Role.ADMIN):
        month = Month.of(today)
        context["month"] = month
        context["scrap"] = dashboard.scrap_by_party(month)
        context["previous_scrap"] = dashboard.scrap_by_party(month.previous())
        context["previous_month"] = month.previous()
    return render_template("main/home.html", figures=figures, **context)
