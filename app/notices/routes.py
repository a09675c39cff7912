"""The bell and what hangs from it: a user's notifications and channels; for the
administrator, the group robots (with a test message), the alert settings and the messages
that could not be delivered (sent again from here)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app import inputs
from app.access import role_required
from app.boundary import on_refusal
from app.extensions import db
from app.i18n import SUPPORTED
from app.models import AudienceKind, DeliveryStatus, Region, RobotKind, RobotWebhook
from app.notices import bell, forms
from app.services import alerts, outbox
from workshop.errors import NotFound
from workshop.roles import Role
from workshop.text import N_

bp = Blueprint("notices", __name__, template_folder="templates")

PER_PAGE = 50
# Whose group chat a user's place has: finance has none (its alerts come in the app and by mail).
GROUP_ROLES = {Role.STORE, Role.REGION, Role.TECHNICIAN}
AUDIENCE_LABELS = {
    AudienceKind.STORE: N_("a store"),
    AudienceKind.REGION: N_("a region"),
    AudienceKind.WORKSHOP: N_("the workshop"),
}
KIND_LABELS = {RobotKind.WECOM: N_("WeCom (企业微信)"), RobotKind.DINGTALK: N_("DingTalk (钉钉)")}
CHANNEL_LABELS = {
    "email": N_("E-mail"),
    "wecom": KIND_LABELS[RobotKind.WECOM],
    "dingtalk": KIND_LABELS[RobotKind.DINGTALK],
}
STATUS_LABELS = {
    DeliveryStatus.PENDING: N_("Messages waiting to be sent or retried"),
    DeliveryStatus.SENDING: N_("Messages being sent"),
    DeliveryStatus.FAILED: N_("Messages not delivered"),
}


bp.app_context_processor(bell.context)


# --- A user's notifications -----------------------------------------------------------


@bp.route("/notifications")
@login_required
def index():
    unread_only = request.args.get("show") == "unread"
    before = inputs.arg_int("before")
    shown, older = _keyset_page(
        alerts.notifications(
            db.session, current_user, _locale(), unread_only=unread_only, before=before, per_page=PER_PAGE + 1
        )
    )
    return render_template(
        "notices/index.html",
        notes=shown,
        unread_only=unread_only,
        before=before,
        older=older,
        unread=alerts.unread_count(db.session, current_user, cap=alerts.BELL_CAP),
        form=forms.ButtonForm(),
    )


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_one(notification_id: int):
    """Follow a notification to its page; opening it marks it read."""
    link = alerts.open_notification(db.session, current_user, notification_id)
    if link is None:
        raise NotFound()
    return redirect(link or url_for("notices.index"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_one(notification_id: int):
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    if alerts.open_notification(db.session, current_user, notification_id) is None:
        raise NotFound()
    return redirect(_back_to_list())


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    count = alerts.mark_read(db.session, current_user)
    flash(_("%(n)d notifications marked read.", n=count), "ok")
    return redirect(_back_to_list())


def _keyset_page(rows: list) -> tuple[list, int | None]:
    """A page of rows fetched one too many (newest first): the page, and the id the "older"
    link starts before (``None`` on the last page)."""
    page = rows[:PER_PAGE]
    return page, (page[-1].id if len(rows) > PER_PAGE else None)


def _back_to_list() -> str:
    show = request.args.get("show")
    return url_for("notices.index", show="unread") if show == "unread" else url_for("notices.index")


def _locale() -> str:
    return str(get_locale() or alerts.DEFAULT_LOCALE)


# --- A user's channels ----------------------------------------------------------------


def _channels_page(form, status: int = 200):
    return render_template(
        "notices/channels.html",
        form=form,
        has_group=current_user.role in GROUP_ROLES,
        mail_configured=bool(current_app.config.get("SMTP_HOST")),
    ), status


@bp.route("/notifications/channels", methods=["GET", "POST"])
@login_required
@on_refusal(lambda error: _channels_page(forms.ChannelsForm()))
def channels():
    if request.method == "GET":
        choice = alerts.preferences(db.session, current_user)
        form = forms.ChannelsForm(
            data={"email": choice.email, "email_enabled": choice.email_enabled, "robot_enabled": choice.robot_enabled}
        )
        return _channels_page(form)
    form = forms.ChannelsForm()
    if not form.validate_on_submit():
        return _channels_page(form, 422)
    robot = form.robot_enabled.data if current_user.role in GROUP_ROLES else True
    alerts.set_preferences(
        db.session,
        current_user,
        email=form.email.data or "",
        email_enabled=bool(form.email_enabled.data),
        robot_enabled=bool(robot),
    )
    flash(_("Your channels are saved."), "ok")
    return redirect(url_for("notices.channels"))


# --- The administrator: robots, settings, failed deliveries ---------------------------


@bp.route("/admin/alerts", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@on_refusal(lambda error: _alerts_page(forms.AlertSettingsForm()))
def admin():
    if request.method == "GET":
        form = forms.AlertSettingsForm(data=alerts.alert_settings(db.session).__dict__)
        return _alerts_page(form)
    form = forms.AlertSettingsForm()
    if not form.validate_on_submit():
        return _alerts_page(form, 422)
    for key in alerts.ALERT_SETTINGS:
        alerts.set_alert_setting(db.session, key, getattr(form, key).data)
    flash(_("Settings saved. They apply to what happens from now on."), "ok")
    return redirect(url_for("notices.admin"))


def _alerts_page(form, status: int = 200):
    counts = outbox.status_counts()
    return render_template(
        "notices/admin.html",
        form=form,
        counts=[(STATUS_LABELS[s], n, s) for s, n in counts.items()],
        mail_configured=bool(current_app.config.get("SMTP_HOST")),
        base_url=current_app.config.get("BASE_URL", ""),
    ), status


@bp.route("/admin/alerts/robots")
@role_required(Role.ADMIN)
def robots():
    q = request.args.get("q", "").strip()[:100]
    page = db.paginate(alerts.robots_query(q), page=inputs.arg_page(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "notices/robots.html",
        page=page,
        q=q,
        form=forms.ButtonForm(),
        audience_labels=AUDIENCE_LABELS,
        kind_labels=KIND_LABELS,
        masked_url=alerts.masked_url,
        masked_secret=alerts.masked_secret,
    )


def _robot_form(robot: RobotWebhook | None, *, posted: bool) -> forms.RobotForm:
    """The robot's form: as posted, or filled from the robot. A robot's place is chosen when
    it is added; afterwards only its address, secret, name, language and state change."""
    if posted:
        form = forms.RobotForm()
    elif robot is None:
        form = forms.RobotForm(formdata=None)
    else:
        form = forms.RobotForm(
            formdata=None,
            data={"name": robot.name, "url": robot.url, "locale": robot.locale, "active": robot.active},
        )
    if robot is not None:
        for name in ("kind", "audience", "store_code", "region_id"):
            delattr(form, name)
        form.url.flags.required = False
    else:
        form.kind.choices = [SelectChoice(k.value, _(KIND_LABELS[k])) for k in RobotKind]
        form.audience.choices = [SelectChoice(a.value, _(label)) for a, label in AUDIENCE_LABELS.items()]
        form.region_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(r.id, f"{r.code} {r.name}") for r in db.session.scalars(select(Region).order_by(Region.code))
        ]
    form.locale.choices = [SelectChoice(code, current_app.config["LANGUAGES"][code]) for code in SUPPORTED]
    return form


def _robot_page(form, robot: RobotWebhook | None, status: int = 200):
    return render_template(
        "notices/robot.html",
        form=form,
        robot=robot,
        masked_secret=alerts.masked_secret,
        button=forms.ButtonForm(),
    ), status


def _robot_refused(error, robot_id: int | None = None):
    robot = db.session.get(RobotWebhook, robot_id) if robot_id else None
    return _robot_page(_robot_form(robot, posted=True), robot)


def _robot_or_404(robot_id: int) -> RobotWebhook:
    robot = db.session.get(RobotWebhook, robot_id)
    if robot is None:
        raise NotFound()
    return robot


@bp.route("/admin/alerts/robots/new", methods=["GET", "POST"])
@bp.route("/admin/alerts/robots/<int:robot_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@on_refusal(_robot_refused)
def robot(robot_id: int | None = None):
    found = _robot_or_404(robot_id) if robot_id else None
    if request.method == "GET":
        return _robot_page(_robot_form(found, posted=False), found)
    form = _robot_form(found, posted=True)
    if not form.validate_on_submit():
        return _robot_page(form, found, 422)
    if found is None:
        found = _add_robot(form)
        flash(_("Robot added. Send it a test message to check that the group receives it."), "ok")
    else:
        alerts.update_robot(
            db.session,
            found,
            url=form.url.data or "",
            secret=form.secret.data or "",
            name=form.name.data or "",
            active=bool(form.active.data),
            locale=form.locale.data,
        )
        flash(_("Saved."), "ok")
    return redirect(url_for("notices.robot", robot_id=found.id))


def _add_robot(form: forms.RobotForm) -> RobotWebhook:
    audience = AudienceKind(form.audience.data)
    store = alerts.store_by_code(db.session, form.store_code.data or "") if audience == AudienceKind.STORE else None
    robot = alerts.add_robot(
        db.session,
        alerts.RobotTarget(
            RobotKind(form.kind.data),
            audience,
            form.url.data or "",
            secret=form.secret.data or "",
            store_id=store.id if store else None,
            region_id=(form.region_id.data or None) if audience == AudienceKind.REGION else None,
            name=form.name.data or "",
            locale=form.locale.data,
        ),
    )
    robot.active = bool(form.active.data)
    return robot


@bp.route("/admin/alerts/robots/<int:robot_id>/test", methods=["POST"])
@role_required(Role.ADMIN)
def test_robot(robot_id: int):
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    found = _robot_or_404(robot_id)
    error = outbox.test_robot(found)
    if error:
        flash(_("The test message was not delivered: %(error)s", error=error), "error")
    else:
        flash(_("The test message was delivered: look for it in the group."), "ok")
    return redirect(url_for("notices.robot", robot_id=found.id))


@bp.route("/admin/alerts/failed")
@role_required(Role.ADMIN)
def failed():
    before = inputs.arg_int("before")
    rows, older = _keyset_page(outbox.failures(_locale(), before=before, per_page=PER_PAGE + 1))
    return render_template(
        "notices/failed.html",
        rows=rows,
        before=before,
        older=older,
        total=outbox.failure_count(),
        channel_labels=CHANNEL_LABELS,
        form=forms.ButtonForm(),
    )


@bp.route("/admin/alerts/failed/<int:row_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry(row_id: int):
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    if outbox.retry(row_id):
        flash(_("Sending it again now. If it fails again it comes back to this list."), "ok")
    else:
        flash(_("That message is no longer in the failed list: it was sent again already."), "warn")
    return redirect(url_for("notices.failed"))
