"""A finance export too big for a request (a supplier's or head office's scrap pieces of a
month, by the thousand) made by a background job: the same table as the page's download,
in the language of the person who asked, with a progress bar and the file at the end."""

from pathlib import Path

from flask import current_app
from flask_babel import force_locale, get_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import User
from app.services import exports, finance, jobs

KIND = "finance_export"


def threshold() -> int:
    """Above this many rows an export is made in the background (``EXPORT_JOB_ROWS``)."""
    return int(current_app.config.get("EXPORT_JOB_ROWS", 5000))


def too_big(pieces_query: tuple) -> bool:
    """Whether a month's pieces of one party are more than a request should write."""
    month, blame, party_id = pieces_query
    count = db.session.scalar(select(func.count()).select_from(finance.party_pieces(month, blame, party_id).subquery()))
    return (count or 0) > threshold()


def start(session: Session, user: User, name: str, fmt: str, args: dict) -> str:
    params = {
        "name": name,
        "fmt": fmt,
        "args": args,
        "locale": str(get_locale() or "zh_Hans"),
        "month": args.get("month", ""),
    }
    return jobs.start(session, KIND, params, user)


def build(job: jobs.Running, *, name: str, fmt: str, args: dict, locale: str, month: str = "") -> Path:
    from app.finance.routes import export_table

    job.progress(5)
    # The table reads its filters from a query string, as on the page: give it this one.
    with current_app.test_request_context(query_string=args), force_locale(locale):
        table = export_table(name)
        job.progress(70)
        body = exports.csv_bytes(table) if fmt == "csv" else exports.xlsx_bytes(table)
    path = job.folder / f"{table.name}.{fmt}"
    path.write_bytes(body)
    return path
