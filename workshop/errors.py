"""Named domain errors, each carrying the sentence a person needs to read.

``message`` is an untranslated sentence with ``%(name)s`` placeholders and ``params`` fills
them; the web layer translates the sentence and fills it in the user's language. ``code``
is a stable machine-readable name (used by the JSON API).
"""

from workshop.text import N_


class DomainError(Exception):
    code = "domain_error"
    field: str | None = None  # the input it is about, when there is one (the API says so)

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class RuleViolation(DomainError):
    """A rule of the domain refuses this; the sentence says which and what to do."""

    code = "invalid"


class InvalidTransition(RuleViolation):
    """A move the transition table does not allow from where the thing is now."""

    code = "invalid_transition"


class AlreadyDone(InvalidTransition):
    """The move was already made: repeating it is harmless and changes nothing."""

    code = "already_done"


class NotPermitted(DomainError):
    code = "forbidden"


class InvalidCode(DomainError):
    code = "invalid_code"


class WrongBatch(DomainError):
    code = "wrong_batch"


class MonthClosed(DomainError):
    code = "month_closed"

    def __init__(self, month: str) -> None:
        super().__init__(
            N_(
                "%(month)s is closed: its figures can no longer change. Record a correction "
                "as an adjustment in the open month, with a reason."
            ),
            month=month,
        )


class NotFound(DomainError):
    """Nothing here, or nothing this person may see: a store never learns that another
    store's piece exists, so both read the same."""

    code = "not_found"

    def __init__(
        self, message: str = N_("There is nothing here, or it is not yours to see."), **params: object
    ) -> None:
        super().__init__(message, **params)


class RowRefused(RuleViolation):
    """One item of a list was refused, so none was taken: which one, and why."""

    def __init__(self, index: int, error: DomainError, field: str) -> None:
        super().__init__(N_("Piece %(index)d: %(reason)s"), index=index, reason=error)
        self.code = error.code
        self.field = field
