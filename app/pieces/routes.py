"""Pages every role shares: a piece with its timeline, a batch with its pieces, photos."""

from datetime import timedelta
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required

from app import clock, inputs
from app.pieces.forms import CorrectionForm
from app.services import deadlines, grading, scope, timeline, trips
from app.services.settings import rules as current_rules
from workshop.transitions import EventAction

bp = Blueprint("pieces", __name__, template_folder="templates")


@bp.app_template_filter("action_label")
def _action_label(action: str) -> str:
    return gettext(EventAction.label_of(action))


@bp.route("/pieces/<int:piece_id>")
@login_required
def piece(piece_id: int):
    piece = scope.get_piece(current_user, piece_id)
    return render_template(
        "pieces/piece.html",
        piece=piece,
        events=timeline.piece_events(piece.id),
        clock=deadlines.reading(piece, current_rules(), clock.today()),
        flagged=grading.flagged_for_exchange(piece),
        operation_names=timeline.operation_names(str(get_locale())),
        correction_form=CorrectionForm(formdata=None),
    )


@bp.route("/batches/<int:batch_id>")
@login_required
def batch(batch_id: int):
    batch = scope.get_batch(current_user, batch_id)
    return render_template(
        "pieces/batch.html",
        batch=batch,
        members=batch.members,
        events=timeline.batch_events(batch.id),
        correction_form=CorrectionForm(formdata=None),
    )


@bp.route("/pieces/<int:piece_id>/photos/<int:photo_id>")
@bp.route("/pieces/<int:piece_id>/photos/<int:photo_id>/<any(thumb):size>")
@login_required
def photo(piece_id: int, photo_id: int, size: str | None = None):
    piece = scope.get_piece(current_user, piece_id)
    found = next((p for p in piece.photos if p.id == photo_id), None)
    if found is None:
        abort(404)
    name = found.thumb_name if size == "thumb" else found.stored_name
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    response = send_from_directory(folder, name, mimetype="image/jpeg" if size == "thumb" else found.content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


def repeat_repairs_page(endpoint: str):
    """Repeat repairs (rule 6's figure), shared by the workshop's and finance's pages: of the
    repaired pieces back at their stores in the period, the share that came back within 90 days."""
    by = "product" if request.args.get("by") == "product" else "supplier"
    months = inputs.arg_int("months", default=12, minimum=1, maximum=36) or 12
    since = clock.today() - timedelta(days=months * 30)
    rows = trips.repeat_repairs(by, since)
    return render_template(
        "repeat_repairs.html",
        rows=rows,
        by=by,
        months=months,
        since=since,
        endpoint=endpoint,
        window=trips.REPEAT_WINDOW_DAYS,
    )
