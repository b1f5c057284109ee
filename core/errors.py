"""The domain's error family.

Every entrypoint maps these the same way (HTTP status in brackets): ``NotFound`` (404),
``Invalid`` (422), ``TooLarge`` (413), ``Conflict`` (409), ``PreconditionFailed`` (412),
``Forbidden`` (403),
``Unavailable`` (503; ``InsufficientStorage`` 507),
``TimedOut`` (504). Adapters raise only these for conditions a caller can
act on; anything else is a bug.
"""

from __future__ import annotations


class AvatarServiceError(Exception):
    """Base of every error the core and its adapters raise on purpose.

    ``message`` is one line a user can act on; ``field`` names the input at fault, if any.
    """

    title = "Error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(AvatarServiceError):
    """The named thing does not exist."""

    title = "Not found"


class Invalid(AvatarServiceError):
    """The input breaks a rule; ``field`` says which input."""

    title = "Invalid input"


class TooLarge(AvatarServiceError):
    """The input is over a configured size limit."""

    title = "Too large"


class Conflict(AvatarServiceError):
    """The thing already exists, or the change clashes with the current state."""

    title = "Conflict"


class PreconditionFailed(AvatarServiceError):
    """An optimistic-concurrency check failed: the caller's version is stale."""

    title = "Precondition failed"


def stale_version(kind: str, item_id: str, current: int, expected: int) -> PreconditionFailed:
    """The error every store raises when ``expected_version`` is not the ``current`` one."""
    return PreconditionFailed(
        f"{kind} {item_id!r} is at version {current}, not {expected}; re-read and retry",
        field="expected_version",
    )


class Forbidden(AvatarServiceError):
    """The caller may not do this (e.g. a non-admin key naming another tenant)."""

    title = "Forbidden"


class Unavailable(AvatarServiceError):
    """A dependency is missing, down or saturated; retry after ``retry_after`` seconds."""

    title = "Service unavailable"

    def __init__(
        self, message: str, *, field: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


class InsufficientStorage(Unavailable):
    """The storage is full or over its quota; nothing of the write was kept."""

    title = "Insufficient storage"


class TimedOut(AvatarServiceError):
    """The work took longer than its configured limit and was abandoned."""

    title = "Timed out"
