"""Jobs: work started by a request or a clock, stored so that it outlives the process."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipfed.nodes.database.core import Base, RecordMixin, UTCDateTime, str_enum


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # failed for good on its first try: retrying cannot help
    DEAD = "dead"  # failed on every attempt: a dead letter, retried only by hand


class Job(RecordMixin, Base):
    __tablename__ = "jobs"
    # The runner asks for due jobs of one state, oldest first.
    __table_args__ = (Index("ix_jobs_state_run_at", "state", "run_at"),)

    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A periodic job's key keeps one pending run per schedule.
    key: Mapped[str | None] = mapped_column(String(128), unique=True)
    state: Mapped[JobState] = mapped_column(str_enum(JobState, "job_state"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A job running past its lease belonged to a worker that died: it runs again.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
