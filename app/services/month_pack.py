"""The month-end pack: every supplier's claim statement and every store's statement of a
month in one ZIP — long work for a background job (``jobs.start(…, "month_pack", …)``)."""

import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from app import clock
from app.extensions import db
from app.models import Store, Supplier, User
from app.services import finance, jobs
from app.services.settings import chain_tz
from labels.statements import statement_pdf
from workshop.clock import local_date
from workshop.money import Month

KIND = "month_pack"


def start(session: Session, user: User, month: Month, *, parts: int = 1) -> str:
    """Queue the pack of ``month``, in ``parts`` for as many workers; the page polls
    ``jobs.progress`` with the id it returns."""
    params = {"month": str(month), "prepared_by": user.display_name}
    return jobs.start(session, KIND, params, user, parts=parts)


def build(job: jobs.Running, *, month: str, prepared_by: str, part: int = 0, parts: int = 1) -> Path:
    """The statements of one part (every ``parts``-th party) in a ZIP of their own."""
    month_ = Month.parse(month)
    figures = finance.allocation(month_)
    today = local_date(clock.now(), chain_tz())
    parties = [(Supplier, line.party_id) for line in figures.suppliers if line.party_id is not None]
    parties += [(Store, line.party_id) for line in figures.stores if line.party_id is not None]
    mine = parties[part::parts]
    path = job.folder / (f"month-pack-{month_}.zip" if parts == 1 else f"month-pack-{month_}-{part + 1}-of-{parts}.zip")
    # PDFs are compressed already: stored, not deflated again.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as pack:
        for done, (model, party_id) in enumerate(mine, start=1):
            party = db.session.get(model, party_id)
            if model is Supplier:
                data, folder = finance.claim_statement(party, month_, prepared_by, today), "suppliers"
            else:
                data, folder = finance.store_statement(party, month_, prepared_by, today), "stores"
            pack.writestr(f"{folder}/{data.filename}", statement_pdf(data.statement))
            db.session.expunge_all()  # 2,300 statements: keep the session (and the worker's memory) small
            job.progress(done * 100 / len(mine))
    return path


def merge(job: jobs.Running, paths: list[Path], *, month: str, prepared_by: str) -> Path:
    """The parts' ZIPs into one, entry by entry (a statement at a time in memory)."""
    path = job.folder / f"month-pack-{Month.parse(month)}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as pack:
        for part in paths:
            with zipfile.ZipFile(part) as source:
                for name in source.namelist():
                    pack.writestr(name, source.read(name))
    return path
