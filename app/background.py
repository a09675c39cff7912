"""Work that runs after a commit, away from the request: on RQ (Redis) when ``REDIS_URL`` is
set, else in this process.

A service asks for work with :func:`after_commit` (or :func:`collect`) inside its
transaction. When the session commits, the work is handed on; when it rolls back, it is
dropped, so a change that did not happen causes nothing. The request edge needs to call
nothing: a SQLAlchemy ``after_commit`` hook on every session does it.

Modes (``BACKGROUND``): ``rq`` — a job on the Redis queue, done by ``flask worker`` on this
or another machine; ``thread`` — one worker thread of this process (the embedded default of
``make run``); ``inline`` — at once, in the committing thread, in a fresh app context (tests,
and commands that want their work done before they exit).
"""

import contextvars
import importlib
import logging
import queue
import threading
from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

TASKS = "background.tasks"
COLLECTED = "background.collected"
_worker_app: Flask | None = None


def path_of(func: Callable) -> str:
    return f"{func.__module__}:{func.__qualname__}"


def resolve(path: str) -> Callable:
    module, _, name = path.partition(":")
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


# --- Asking for work inside a transaction --------------------------------------------


def after_commit(session: Session, func: Callable, *args) -> None:
    """Run ``func(*args)`` in the background once this session's transaction commits."""
    session.info.setdefault(TASKS, []).append((path_of(func), args))


def collect(session: Session, func: Callable) -> list:
    """A list that this transaction fills; after its commit ``func(list)`` runs once with all of it."""
    collected = session.info.setdefault(COLLECTED, {})
    return collected.setdefault(path_of(func), [])


def _on_after_commit(session: Session) -> None:
    tasks = session.info.pop(TASKS, [])
    collected = session.info.pop(COLLECTED, {})
    tasks += [(path, (items,)) for path, items in collected.items() if items]
    if not tasks or not has_app_context():
        return
    app = current_app._get_current_object()
    for path, args in tasks:
        try:
            submit(app, path, *args)
        except Exception:  # the change is committed; its follow-up work must not undo the caller
            log.exception("could not hand on background work %s", path)


def _on_transaction_end(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (a commit emptied the lists first):
    # whatever it asked for belongs to a change that did not happen.
    if transaction.parent is None:
        session.info.pop(TASKS, None)
        session.info.pop(COLLECTED, None)


def install() -> None:
    """Listen on every ORM session of the process (idempotent: create_app may run twice)."""
    if not event.contains(Session, "after_commit", _on_after_commit):
        event.listen(Session, "after_commit", _on_after_commit)
    if not event.contains(Session, "after_transaction_end", _on_transaction_end):
        event.listen(Session, "after_transaction_end", _on_transaction_end)


# --- Handing work on ------------------------------------------------------------------


def mode(app: Flask) -> str:
    chosen = app.config.get("BACKGROUND") or ""
    if chosen in ("rq", "thread", "inline"):
        return chosen
    return "rq" if app.config.get("REDIS_URL") else "thread"


def submit(app: Flask, path: str, *args) -> None:
    chosen = mode(app)
    if chosen == "rq":
        try:
            rq_queue(app).enqueue(execute, path, *args, job_timeout=app.config.get("JOB_TIMEOUT", 3600))
            return
        except Exception:
            # Redis is down: do the work here rather than lose it (the outbox sweep and the
            # next scheduler tick catch anything this process does not finish).
            log.exception("the queue is unreachable; running %s in this process", path)
            chosen = "thread"
    if chosen == "inline":
        # In a context of its own, as a worker thread would be: nothing of the committing
        # request leaks in (its write intent would make a job's reads take SQLite's write lock).
        contextvars.Context().run(run_in_app, app, path, *args)
    else:
        _runner(app).put((path, args))


def run_in_app(app: Flask, path: str, *args) -> None:
    """Run a task in a fresh app context (its own database session); log, never raise."""
    try:
        with app.app_context():
            resolve(path)(*args)
    except Exception:
        log.exception("background task %s failed", path)


def execute(path: str, *args) -> None:
    """The entry point of every RQ job: the task runs inside the app, on the worker's machine."""
    app = current_app._get_current_object() if has_app_context() else worker_app()
    with app.app_context():
        resolve(path)(*args)


def worker_app() -> Flask:
    """The app of a worker started as ``rq worker`` (no Flask CLI around it): built once."""
    global _worker_app
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    return _worker_app


# --- RQ -------------------------------------------------------------------------------


def redis_connection(app: Flask):
    from redis import Redis

    connection = app.extensions.get("background_redis")
    if connection is None:
        connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
        app.extensions["background_redis"] = connection
    return connection


def rq_queue(app: Flask):
    from rq import Queue

    return Queue(app.config.get("RQ_QUEUE", "workshop"), connection=redis_connection(app))


# --- In this process ------------------------------------------------------------------


class _Runner:
    """One daemon thread doing tasks in order, so a request never waits for a mail server."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.tasks: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="background", daemon=True)
        self.thread.start()

    def put(self, task: tuple) -> None:
        self.tasks.put(task)

    def _loop(self) -> None:
        while True:
            path, args = self.tasks.get()
            try:
                run_in_app(self.app, path, *args)
            finally:
                self.tasks.task_done()


_runners_lock = threading.Lock()


def _runner(app: Flask) -> _Runner:
    with _runners_lock:
        runner = app.extensions.get("background_runner")
        if runner is None:
            runner = app.extensions["background_runner"] = _Runner(app)
        return runner


def wait_idle(app: Flask) -> None:
    """Block until this process's background thread has done everything handed to it."""
    runner = app.extensions.get("background_runner")
    if runner is not None:
        runner.tasks.join()


# --- The scheduler's tick, and the commands ------------------------------------------


def tick(app: Flask) -> None:
    """What a scheduler does each minute: the daily run when its hour has come (once a day,
    however many schedulers tick), the outbox's retries, old job files, old log-in history. On RQ the work is
    queued for the workers; otherwise it is done here."""
    for path in (
        "app.services.reminders:run_daily",
        "app.services.outbox:send_due",
        "app.services.jobs:clean_expired",
        "app.services.sessions:prune",
    ):
        if mode(app) == "rq":
            submit(app, path)
        else:
            run_in_app(app, path)


def init_app(app: Flask) -> None:
    from pathlib import Path

    import click

    install()
    app.config.setdefault("JOB_FOLDER", str(Path(app.instance_path) / "jobs"))

    @app.cli.command("send-digests")
    @click.option("--force", is_flag=True, help="Run even before the digest hour (still once a day).")
    def send_digests(force: bool) -> None:
        """Today's digests and reminders (cron at 08:00); a second run the same day sends nothing."""
        from app.services import reminders

        if mode(app) == "thread":
            app.config["BACKGROUND"] = "inline"  # send before the command exits
        result = reminders.run_daily(force=force)
        if result.ran:
            click.echo(f"{result.day}: {result.alerts} alerts written and sent.")
        else:
            click.echo(f"{result.day}: nothing to do (already done today, or before the digest hour).")

    @app.cli.command("send-outbox")
    def send_outbox() -> None:
        """Send what is due in the outbox: first tries and retries (cron, every minute)."""
        from app.services import outbox

        sent = outbox.send_due()
        click.echo(f"{sent} sent.")

    @app.cli.command("clean-jobs")
    def clean_jobs() -> None:
        """Remove background jobs' files older than a day."""
        from app.services import jobs

        click.echo(f"{jobs.clean_expired()} job files removed.")

    @app.cli.command("prune-sessions")
    def prune_sessions() -> None:
        """Delete log-in sessions and attempts older than SESSION_HISTORY_DAYS (90)."""
        from app.services import sessions

        click.echo(f"{sessions.prune()} old sessions and log-in attempts removed.")

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    @click.option("--simple", is_flag=True, help="Run jobs in this process instead of a forked one.")
    def worker(burst: bool, simple: bool) -> None:
        """Do the queued background work (RQ on REDIS_URL); run it on any machine that reaches Redis and the database."""
        if not app.config.get("REDIS_URL"):
            raise click.UsageError("REDIS_URL is not set: without Redis, background work runs inside the app.")
        from rq import SimpleWorker, Worker

        cls = SimpleWorker if simple else Worker
        cls([rq_queue(app)], connection=redis_connection(app)).work(burst=burst)

    @app.cli.command("schedule")
    @click.option("--interval", default=60, show_default=True, help="Seconds between ticks.")
    @click.option("--once", is_flag=True, help="One tick, then exit.")
    def schedule(interval: int, once: bool) -> None:
        """The scheduler: each minute, the daily digests when due, the outbox's retries, old job files.
        Two schedulers at once are harmless: each digest is still sent once."""
        import time

        if mode(app) == "thread":
            app.config["BACKGROUND"] = "inline"  # this process is the scheduler: do the work in it
        while True:
            tick(app)
            if once:
                return
            time.sleep(interval)
