"""Long work in the background, as people see it: a page that shows a job's progress (and
survives a reload: the job is in the database, the page only polls it), the file when it is
ready, and the buttons that start the long work (the month-end pack)."""

import re

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app import inputs
from app.access import role_required
from app.extensions import db
from app.models import JobState
from app.services import jobs, month_pack
from app.work.forms import MonthPackForm
from workshop.errors import NotFound
from workshop.roles import Role
from workshop.text import N_

bp = Blueprint("work", __name__, template_folder="templates", url_prefix="/jobs")

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
STATE_LABELS = {
    JobState.QUEUED: N_("waiting for a worker"),
    JobState.RUNNING: N_("in progress"),
    JobState.DONE: N_("ready"),
    JobState.FAILED: N_("failed"),
    JobState.EXPIRED: N_("removed after a day"),
}


def _job_or_404(job_id: str):
    job = jobs.find(db.session, job_id, current_user) if JOB_ID.match(job_id) else None
    if job is None:
        raise NotFound()  # another person's job is as good as absent
    return job


@bp.route("/")
@login_required
def index():
    return render_template(
        "work/index.html", jobs=jobs.recent(db.session, current_user), title=jobs.title, states=STATE_LABELS
    )


@bp.route("/<job_id>")
@login_required
def show(job_id: str):
    job = _job_or_404(job_id)
    shown = jobs.progress(db.session, job.id, current_user)
    return render_template(
        "work/show.html",
        job=job,
        shown=shown,
        title=jobs.title(job),
        state=STATE_LABELS[shown.state],
        states=STATE_LABELS,
        kept_until=jobs.kept_until(job),
    )


@bp.route("/<job_id>.json")
@login_required
def progress(job_id: str):
    job = _job_or_404(job_id)
    shown = jobs.progress(db.session, job.id, current_user)
    return {
        **shown.as_dict(),
        "state_label": gettext(STATE_LABELS[shown.state]),
        "download": url_for("work.download", job_id=job.id) if shown.ready else None,
    }


@bp.route("/<job_id>/download")
@login_required
def download(job_id: str):
    job = _job_or_404(job_id)
    found = jobs.result(db.session, job.id, current_user)
    if found is None:
        abort(404)  # not ready, or removed after a day: the page says which
    path, name = found
    return send_file(path, as_attachment=True, download_name=name)


@bp.route("/month-pack", methods=["POST"])
@role_required(Role.FINANCE)
def month_pack_start():
    form = MonthPackForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        month = inputs.parse_month(form.month.data)
    except ValueError:
        abort(400)
    job_id = month_pack.start(db.session, current_user, month)
    return redirect(url_for("work.show", job_id=job_id), 303)
