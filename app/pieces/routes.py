"""Pages every role shares: a piece with its timeline, a batch with its pieces, photos."""

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask_babel import get_locale
from flask_login import current_user, login_required

from app.models import utcnow
from app.services import grading, scope, timeline
from app.services.settings import rules as current_rules
from workshop.text import N_
from workshop.transitions import PIECE_ACTION_LABELS, BatchAction, PieceAction

bp = Blueprint("pieces", __name__, template_folder="templates")


# Events that are not moves of a piece or a batch (finance's, written by app.services.finance).
OTHER_ACTION_LABELS = {
    "adjustment": N_("cost adjusted in an open month"),
    "month_close": N_("month closed"),
    "month_reopen": N_("month reopened"),
}


def action_label(action: str) -> str:
    if action.startswith("batch_"):
        return BatchAction(action.removeprefix("batch_")).label
    if action in OTHER_ACTION_LABELS:
        return OTHER_ACTION_LABELS[action]
    try:
        return PIECE_ACTION_LABELS[PieceAction(action)]
    except ValueError:
        return action


@bp.app_template_filter("action_label")
def _action_label(action: str) -> str:
    from flask_babel import gettext

    return gettext(action_label(action))


@bp.route("/pieces/<int:piece_id>")
@login_required
def piece(piece_id: int):
    piece = scope.get_piece(current_user, piece_id)
    rules = current_rules()
    today = utcnow().astimezone(rules.tz).date()
    return render_template(
        "pieces/piece.html",
        piece=piece,
        events=timeline.piece_events(piece.id),
        clock=timeline.piece_clock(piece, rules, today),
        flagged=grading.flagged_for_exchange(piece),
        operation_names=timeline.operation_names(str(get_locale())),
    )


@bp.route("/batches/<int:batch_id>")
@login_required
def batch(batch_id: int):
    batch = scope.get_batch(current_user, batch_id)
    members = batch.pieces if batch.direction == "outbound" else batch.return_pieces
    return render_template("pieces/batch.html", batch=batch, members=members, events=timeline.batch_events(batch.id))


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
