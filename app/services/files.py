"""Files written inside a transaction belong to it: if it rolls back, they are removed.

A service that writes a file (a photo, a thumbnail) calls :func:`written`; the file is
forgotten when the transaction commits and deleted when it rolls back, so a refused or
failed request leaves no orphan file behind and no view has to clean up.
"""

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

KEY = "files_written"


def written(session: Session, path: Path) -> None:
    session.info.setdefault(KEY, []).append(path)


def _forget(session: Session) -> None:
    session.info.pop(KEY, None)


def _remove(session: Session, previous_transaction=None) -> None:
    if previous_transaction is not None and previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    for path in session.info.pop(KEY, []):
        path.unlink(missing_ok=True)


def install() -> None:
    """Listen on every ORM session of the process (idempotent)."""
    if not event.contains(Session, "after_commit", _forget):
        event.listen(Session, "after_commit", _forget)
    if not event.contains(Session, "after_soft_rollback", _remove):
        event.listen(Session, "after_soft_rollback", _remove)
