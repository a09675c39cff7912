"""Named domain errors, each carrying the sentence a person needs to read.

``message`` is an untranslated sentence with ``%(name)s`` placeholders and ``params`` fills
them; the web layer translates the sentence and fills it in the user's language. ``code``
is a stable machine-readable name (used by the JSON API).
"""

from workshop.text import N_


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class InvalidTransition(DomainError):
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


class RuleViolation(DomainError):
    code = "invalid"
