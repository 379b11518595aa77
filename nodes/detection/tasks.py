"""Detection tasks: who launches what, over which listings, with progress and results.

- a rights holder, through an assistance or protection centre, for its own rights;
- an authority (a regional office or enforcement) for its local industries: one
  right, a batch of rights, or Nice classes;
- the national node for priority fields (Nice classes) and regions;
- the stream: every listing as it arrives, from where the last run stopped.

A task screens listings in id order and commits after every batch with its
cursor, so a task interrupted by a restart resumes where it stopped.
"""

from collections.abc import Callable
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.detection.images import ImageSource
from ipfed.nodes.auth.models import Role
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.detection.images import Images
from ipfed.nodes.detection.models import DetectionTask, TaskOrigin, TaskStatus
from ipfed.nodes.detection.schemas import TaskScope
from ipfed.nodes.detection.service import (
    load_register,
    priority_boosts,
    rights_named,
    screen_listing,
)
from ipfed.nodes.detection.tracing import trace
from ipfed.nodes.errors import Forbidden, InvalidInput, NotFound
from ipfed.nodes.jobs import service as jobs
from ipfed.nodes.jobs.runner import Handler
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.listings.models import Listing

BATCH = 200
JOB = "detection.task"
ATTEMPTS = 3  # a task resumes from its cursor, so a retry repeats no work
ORIGINS: dict[Role, TaskOrigin] = {
    Role.RIGHTS_HOLDER: TaskOrigin.RIGHTS_HOLDER,
    Role.ASSISTANCE_CENTRE: TaskOrigin.RIGHTS_HOLDER,
    Role.REGIONAL: TaskOrigin.AUTHORITY,
    Role.ENFORCEMENT: TaskOrigin.AUTHORITY,
    Role.NATIONAL: TaskOrigin.NATIONAL,
}


def create_task(*, db: Session, org: str, role: Role, scope: TaskScope) -> DetectionTask:
    origin = ORIGINS.get(role)
    if origin is None:
        raise Forbidden(f"a {role} does not launch detection tasks", code="not_a_requester")
    if origin is TaskOrigin.RIGHTS_HOLDER and not scope.rights:
        raise InvalidInput("a rights holder's task names its rights", code="rights_required")
    if origin is TaskOrigin.AUTHORITY and not (scope.rights or scope.nice_classes):
        raise InvalidInput(
            "an authority's task names rights or the classes of its industries",
            code="scope_required",
        )
    if scope.rights:
        rights_named(db=db, numbers=scope.rights)
    task = DetectionTask(
        origin=origin,
        requested_by=org,
        scope=scope.model_dump(mode="json"),
        status=TaskStatus.QUEUED,
        total=0,
        screened=0,
        leads=0,
    )
    db.add(task)
    db.flush()
    return task


def stream_task(*, db: Session, org: str) -> DetectionTask:
    """The node's one stream task, created on first use."""
    task = db.scalars(
        select(DetectionTask).where(DetectionTask.origin == TaskOrigin.STREAM)
    ).first()
    if task is None:
        task = DetectionTask(
            origin=TaskOrigin.STREAM,
            requested_by=org,
            scope=TaskScope().model_dump(mode="json"),
            status=TaskStatus.QUEUED,
            total=0,
            screened=0,
            leads=0,
        )
        db.add(task)
        db.flush()
    return task


def task_of(*, db: Session, task_id: str, requested_by: str | None) -> DetectionTask:
    """A task its requester follows (``requested_by`` None: the node's office, any task)."""
    task = db.get(DetectionTask, task_id)
    if task is None or (requested_by is not None and task.requested_by != requested_by):
        raise NotFound(f"no task {task_id}", code="task_not_found")
    return task


def tasks_of(
    *, db: Session, requested_by: str | None, before: str | None = None, limit: int = 25
) -> list[DetectionTask]:
    """The tasks ``requested_by`` launched (None: every task), newest first."""
    query = select(DetectionTask)
    if requested_by is not None:
        query = query.where(DetectionTask.requested_by == requested_by)
    if before is not None:
        query = query.where(DetectionTask.id < before)
    return list(db.scalars(query.order_by(DetectionTask.id.desc()).limit(limit)))


def enqueue_task(*, db: Session, task: DetectionTask) -> None:
    """Give the task to the node's job runner, in the transaction that stores it."""
    jobs.enqueue(db=db, kind=JOB, payload={"task_id": task.id}, max_attempts=ATTEMPTS)


def task_handler(settings: NodeSettings, sessions: sessionmaker[Session]) -> Handler:
    def run(payload: dict[str, object]) -> None:
        task_id = str(payload["task_id"])
        with transaction(sessions) as db:
            if db.get(DetectionTask, task_id) is None:
                raise jobs.JobFailed(f"no task {task_id}")
        images = Images(settings.data_dir / "images")
        run_task(sessions=sessions, task_id=task_id, settings=settings, images=images)

    return run


def _listings(scope: TaskScope, after: str | None) -> Select[Listing]:
    query = select(Listing).order_by(Listing.id)
    if after:
        query = query.where(Listing.id > after)
    if scope.nice_classes:
        query = query.where(Listing.nice_class.in_(scope.nice_classes))
    if scope.sources:
        query = query.where(Listing.source.in_(scope.sources))
    return query


def run_task(
    *,
    sessions: sessionmaker[Session],
    task_id: str,
    settings: NodeSettings,
    images: ImageSource | None = None,
    today: date | None = None,
    on_batch: Callable[[DetectionTask], object] = lambda _task: None,
) -> DetectionTask:
    """Screen the task's listings from its cursor on, committing after each batch; a
    task that cannot go on is marked failed with its reason, and the error raised."""
    try:
        return _screen(sessions, task_id, settings, images, today, on_batch)
    except Exception as exc:
        with transaction(sessions) as db:
            failed = db.get(DetectionTask, task_id)
            if failed is not None:
                failed.status, failed.error = TaskStatus.FAILED, jobs.reason(exc)
        raise


def _screen(
    sessions: sessionmaker[Session],
    task_id: str,
    settings: NodeSettings,
    images: ImageSource | None,
    today: date | None,
    on_batch: Callable[[DetectionTask], object],
) -> DetectionTask:
    from ipfed.detection.screening import Screener

    with transaction(sessions) as db:
        task = db.get(DetectionTask, task_id)
        if task is None:
            raise InvalidInput(f"no task {task_id}", code="task_not_found")
        scope = TaskScope.model_validate(task.scope)
        task.status, task.error = TaskStatus.RUNNING, None  # a retry starts afresh
        count = select(func.count()).select_from(_listings(scope, None).subquery())
        task.total = db.scalar(count) or 0
        register = load_register(db=db)
        named = rights_named(db=db, numbers=scope.rights) if scope.rights else {}
        rights = frozenset(r.number for r in named.values()) if scope.rights else None
        boosts = priority_boosts(db=db)
    screener = Screener(register, today=today or date.today(), images=images)
    while True:
        with transaction(sessions) as db:
            task = db.get_one(DetectionTask, task_id)
            batch = db.scalars(_listings(scope, task.cursor).limit(BATCH)).all()
            if not batch:
                task.status, task.finished_at = TaskStatus.DONE, utcnow()
                break
            ledger = node_ledger(db=db, settings=settings)
            for listing in batch:
                if scope.region_prefix and not _in_region(db, listing, scope.region_prefix):
                    continue
                task.leads += len(
                    screen_listing(
                        db=db,
                        screener=screener,
                        listing=listing,
                        ledger=ledger,
                        images=images,
                        task=task,
                        boosts=boosts,
                        rights=rights,
                    )
                )
            task.screened += len(batch)
            task.cursor = batch[-1].id
        on_batch(task)
    return task


def _in_region(db: Session, listing: Listing, prefix: str) -> bool:
    region = trace(db=db, listing=listing).region_code
    return region is not None and region.startswith(prefix)
