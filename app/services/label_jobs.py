"""A big label sheet as a background job: a store printing a week's few hundred labels gets a
progress bar and the PDF, instead of a request that outlasts its patience. The pieces are
marked labelled only once their PDF exists (as when it is printed at once)."""

from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.database import writing
from app.extensions import db
from app.models import Job, Piece, User
from app.services import jobs, paper, registration, scope
from app.services.settings import rules as current_rules
from labels import item_sheet, thermal_labels
from workshop.clock import local_date

KIND = "label_sheet"
CHUNK = 100  # pieces read at a time: the progress moves, the session stays small
SHEET, THERMAL = "sheet", "thermal"
# What a label shows besides the piece, read with each chunk rather than piece by piece.
LABEL_FACTS = (
    selectinload(Piece.store),
    selectinload(Piece.product),
    selectinload(Piece.defect),
    selectinload(Piece.batch),
)


def threshold() -> int:
    """Above this many labels, a PDF is made in the background (``LABEL_JOB_THRESHOLD``)."""
    return int(current_app.config.get("LABEL_JOB_THRESHOLD", 200))


def start(session: Session, user: User, pieces: list[Piece], *, layout: str, start_position: int = 1) -> str:
    params = {"piece_ids": [p.id for p in pieces], "count": len(pieces), "layout": layout, "start": start_position}
    return jobs.start(session, KIND, params, user)


def build(job: jobs.Running, *, piece_ids: list[int], count: int, layout: str, start: int = 1) -> Path:
    """The PDF of these pieces' labels, for the job's user only (scope decides, as on the page)."""
    user = db.session.get(Job, job.id).user
    rules = current_rules()
    data, printed = [], []
    for first in range(0, len(piece_ids), CHUNK):
        chunk = piece_ids[first : first + CHUNK]
        query = scope.pieces(user).where(Piece.id.in_(chunk)).options(*LABEL_FACTS)
        found = {p.id: p for p in db.session.scalars(query)}
        printed += [i for i in chunk if i in found]
        data += [paper.piece_label(found[i], rules) for i in chunk if i in found]
        job.progress(60 * (first + len(chunk)) / len(piece_ids))
    document = thermal_labels(data) if layout == THERMAL else item_sheet(data, start_position=start)
    now = clock.now()
    path = job.folder / f"labels-{local_date(now, rules.tz).isoformat()}-{len(data)}.pdf"
    path.write_bytes(document)
    job.progress(95)
    _mark_labelled(user, printed, now)
    return path


def _mark_labelled(user: User, piece_ids: list[int], at) -> None:
    """In a transaction of its own, after the PDF exists: as printing at once would."""
    db.session.rollback()
    with writing():
        pieces = list(db.session.scalars(scope.pieces(user).where(Piece.id.in_(piece_ids)).with_for_update()))
        registration.mark_labelled(user, pieces, at=at)
        db.session.commit()
