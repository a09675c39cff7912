"""Long work in the background with a progress bar: a page starts a job, polls its progress,
and offers its file when it is ready; the file is kept for a day, then removed.

A kind of job is a function ``build(job: Running, **params) -> Path`` registered in
``KINDS``; it reports progress with ``job.progress(percent)`` and writes its file into
``job.folder``. ``start`` writes the job row in the caller's transaction and the job runs
after the commit (on the queue, or in this process without Redis).

A kind that also has a ``merge(job, paths, **params) -> Path`` in ``MERGERS`` can be split:
``start(…, parts=n)`` queues n part jobs (``part`` and ``parts`` among their params) that
several workers do at once; the part that finishes last merges the parts' files into the
parent's. The page polls the parent.
"""

import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import background, clock
from app.database import writes
from app.extensions import db
from app.i18n import translate
from app.models import Job, JobState, User
from workshop.errors import RuleViolation
from workshop.roles import Role
from workshop.text import N_

log = logging.getLogger(__name__)
# kind → "module:function": a worker on another machine imports the function by its name.
KINDS: dict[str, str] = {
    "month_pack": "app.services.month_pack:build",
    "label_sheet": "app.services.label_jobs:build",
    "finance_export": "app.finance.export_jobs:build",
}
MERGERS: dict[str, str] = {
    "month_pack": "app.services.month_pack:merge",
}


# What a person reads for each kind of job (its params fill the sentence).
TITLES: dict[str, str] = {
    "month_pack": N_("Month-end pack of %(month)s: every supplier's claim and every store's statement"),
    "label_sheet": N_("Labels of %(count)d pieces"),
    "finance_export": N_("Scrapped pieces of %(month)s as a file (%(fmt)s)"),
}
MY_JOBS = 20  # the "my background work" list: the latest few, files kept a day anyway


def register(kind: str, build: Callable, merge: Callable | None = None) -> None:
    KINDS[kind] = background.path_of(build)
    if merge is not None:
        MERGERS[kind] = background.path_of(merge)


def folder_root() -> Path:
    return Path(current_app.config.get("JOB_FOLDER") or Path(current_app.instance_path) / "jobs")


def start(session: Session, kind: str, params: dict, user: User | None, *, parts: int = 1) -> str:
    """Queue a job; it runs once this transaction commits. Returns its id for the page to poll."""
    if kind not in KINDS or (parts > 1 and kind not in MERGERS):
        raise RuleViolation(N_("%(kind)s is not a kind of background work."), kind=kind)
    user_id = user.id if user else None
    job = Job(id=uuid.uuid4().hex, kind=kind, params=params, user_id=user_id, created_at=clock.now())
    session.add(job)
    session.flush()
    if parts <= 1:
        background.after_commit(session, run, job.id)
        return job.id
    for part in range(parts):
        piece = Job(
            id=uuid.uuid4().hex,
            kind=kind,
            params={**params, "part": part, "parts": parts},
            user_id=user_id,
            parent_id=job.id,
            created_at=clock.now(),
        )
        session.add(piece)
        session.flush()
        background.after_commit(session, run, piece.id)
    return job.id


@dataclass(frozen=True)
class Progress:
    id: str
    kind: str
    state: JobState
    progress: int
    error: str
    file_name: str

    @property
    def ready(self) -> bool:
        return self.state == JobState.DONE

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED, JobState.EXPIRED)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "state": self.state.value,
            "progress": self.progress,
            "error": self.error,
            "ready": self.ready,
            "file_name": self.file_name,
        }


def _visible(session: Session, job_id: str, user: User) -> Job | None:
    job = session.get(Job, job_id)
    if job is None or (job.user_id != user.id and user.role != Role.ADMIN):
        return None  # another person's job is as good as absent
    return job


def progress(session: Session, job_id: str, user: User) -> Progress | None:
    job = _visible(session, job_id, user)
    if job is None:
        return None
    session.refresh(job)  # the worker writes the progress from another connection
    parts = session.scalars(select(Job).where(Job.parent_id == job.id)).all()
    if not parts or job.state != JobState.QUEUED:
        return Progress(job.id, job.kind, job.state, job.progress, job.error, job.result_name)
    # A split job not yet merged: its parts tell how far it is (the merge is the last step).
    for part in parts:
        session.refresh(part)
    state = JobState.RUNNING if any(p.state != JobState.QUEUED for p in parts) else JobState.QUEUED
    done = min(sum(p.progress for p in parts) // len(parts), 99)
    return Progress(job.id, job.kind, state, done, "", "")


def title(job: Job) -> str:
    """The job's name in the reader's language."""
    return translate(
        TITLES.get(job.kind, job.kind), {k: v for k, v in (job.params or {}).items() if k != "prepared_by"}
    )


def find(session: Session, job_id: str, user: User) -> Job | None:
    """The user's own job (an admin sees every one); ``None`` for anyone else's."""
    return _visible(session, job_id, user)


def recent(session: Session, user: User, limit: int = MY_JOBS) -> list[Job]:
    """The user's latest jobs, newest first (a split job's parts are inside it, not listed)."""
    return list(
        session.scalars(
            select(Job)
            .where(Job.user_id == user.id, Job.parent_id.is_(None))
            .order_by(Job.created_at.desc(), Job.id)
            .limit(limit)
        )
    )


def kept_until(job: Job) -> datetime | None:
    """When a finished job's file is removed (``JOB_KEEP_HOURS`` after it was made)."""
    if job.finished_at is None or job.state != JobState.DONE:
        return None
    return job.finished_at + timedelta(hours=int(current_app.config.get("JOB_KEEP_HOURS", 24)))


def result(session: Session, job_id: str, user: User) -> tuple[Path, str] | None:
    """The finished job's file and the name to download it as; ``None`` when not (or no longer) there."""
    job = _visible(session, job_id, user)
    if job is None or job.state != JobState.DONE or not job.result_path:
        return None
    path = Path(job.result_path)
    return (path, job.result_name) if path.is_file() else None


class Running:
    """What a job's function sees: its folder, and a way to report progress."""

    def __init__(self, job_id: str, folder: Path) -> None:
        self.id = job_id
        self.folder = folder
        self._last = -1

    def progress(self, percent: float) -> None:
        value = max(0, min(100, int(percent)))
        if value == self._last:
            return
        self._last = value
        # Its own connection and commit: the page sees it while the job's session works on.
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == self.id).values(progress=value))


def run(job_id: str) -> None:
    """Run a queued job (the background task): exactly once, even if handed on twice."""
    claimed = _claim(job_id)
    if claimed is None:
        return
    kind, params, parent_id = claimed
    folder = folder_root() / job_id
    folder.mkdir(parents=True, exist_ok=True)
    try:
        build = background.resolve(KINDS[kind])
        path = Path(build(Running(job_id, folder), **params))
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        _finish(job_id, state=JobState.FAILED, error=error)
        if parent_id is not None:
            _finish(parent_id, state=JobState.FAILED, error=error, only_from=JobState.QUEUED)
        shutil.rmtree(folder, ignore_errors=True)
        return
    # The build reads in its own transaction (no write lock held: its progress is written
    # from another connection); it builds a file, and nothing it left in the session is kept.
    db.session.rollback()
    _finish(job_id, state=JobState.DONE, progress=100, result_path=str(path), result_name=path.name)
    if parent_id is not None:
        _merge_when_complete(parent_id, kind)


def _merge_when_complete(parent_id: str, kind: str) -> None:
    """The last part to finish merges: the parent's claim (queued → running) lets only one do it."""
    claimed = _claim_merge(parent_id)
    if claimed is None:
        return
    params, paths = claimed
    folder = folder_root() / parent_id
    folder.mkdir(parents=True, exist_ok=True)
    try:
        merge = background.resolve(MERGERS[kind])
        path = Path(merge(Running(parent_id, folder), paths, **params))
    except Exception as exc:
        db.session.rollback()
        log.exception("merging job %s (%s) failed", parent_id, kind)
        _finish(parent_id, state=JobState.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000])
        return
    db.session.rollback()
    _finish(parent_id, state=JobState.DONE, progress=100, result_path=str(path), result_name=path.name)
    for part in paths:
        shutil.rmtree(part.parent, ignore_errors=True)  # the parts' files live on in the merged one


@writes
def _claim_merge(parent_id: str) -> tuple[dict, list[Path]] | None:
    parts = db.session.scalars(select(Job).where(Job.parent_id == parent_id)).all()
    if any(p.state != JobState.DONE for p in parts):
        db.session.rollback()
        return None
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == parent_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=clock.now()),
        execution_options={"synchronize_session": False},
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    params = dict(db.session.get(Job, parent_id).params or {})
    paths = [Path(p.result_path) for p in sorted(parts, key=lambda p: p.params.get("part", 0))]
    db.session.commit()
    return params, paths


@writes
def _claim(job_id: str) -> tuple[str, dict, str | None] | None:
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=clock.now(), progress=0),
        execution_options={"synchronize_session": False},
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    job = db.session.get(Job, job_id)
    found = job.kind, dict(job.params or {}), job.parent_id
    db.session.commit()
    return found


@writes
def _finish(job_id: str, *, only_from: JobState | None = None, **values) -> None:
    statement = update(Job).where(Job.id == job_id).values(finished_at=clock.now(), **values)
    if only_from is not None:
        statement = statement.where(Job.state == only_from)
    db.session.execute(statement, execution_options={"synchronize_session": False})
    db.session.commit()


@writes
def clean_expired(now: datetime | None = None) -> int:
    """Remove the files of jobs done more than ``JOB_KEEP_HOURS`` ago (their rows stay, expired),
    and fail the jobs whose worker died under them."""
    now = now or clock.now()
    keep = timedelta(hours=int(current_app.config.get("JOB_KEEP_HOURS", 24)))
    old = db.session.scalars(select(Job).where(Job.state == JobState.DONE, Job.finished_at < now - keep)).all()
    for job in old:
        shutil.rmtree(folder_root() / job.id, ignore_errors=True)
        job.state, job.result_path = JobState.EXPIRED, ""
    timeout = timedelta(seconds=int(current_app.config.get("JOB_TIMEOUT", 3600)))
    db.session.execute(
        update(Job)
        .where(Job.state == JobState.RUNNING, Job.started_at < now - timeout)
        .values(state=JobState.FAILED, finished_at=now, error="interrupted: the worker stopped before the job ended"),
        execution_options={"synchronize_session": False},
    )
    failed_parts = select(Job.parent_id).where(Job.parent_id.is_not(None), Job.state == JobState.FAILED)
    db.session.execute(
        update(Job)
        .where(Job.state == JobState.QUEUED, Job.id.in_(failed_parts))
        .values(state=JobState.FAILED, finished_at=now, error="a part of the job failed"),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return len(old)
