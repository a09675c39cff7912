"""Long work done in the background (a month-end pack, a large export, a big label sheet):
its state and progress for the page that polls it, and the file it made, kept for a day."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.org import User, enum_column
from app.models.types import UTCDateTime


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # done, and its file has been removed


class Job(db.Model):
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: a page cannot guess another's job
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # A job split in parts for several workers: each part is a job of its own under its parent.
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("job.id"), index=True)
    state: Mapped[JobState] = mapped_column(enum_column(JobState, name="job_state"), default=JobState.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    result_path: Mapped[str] = mapped_column(String(500), default="")
    result_name: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_job_state_finished", "state", "finished_at"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_in_range"),
    )
