"""
The exception hierarchy of ``lapor_core``.

Every refusal raised by the library is a :class:`LaporError`. Each subclass also
subclasses the matching builtin, so callers may catch either (``except ValueError``
keeps working for code that does not know our names).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

__all__ = [
    "CalendarRangeError",
    "ConcurrencyConflict",
    "InvalidTransition",
    "LaporError",
    "NotFound",
    "PermissionDenied",
    "ProfileError",
    "StorageError",
    "ValidationError",
]


class LaporError(Exception):
    """
    Base class of every error raised by ``lapor_core``.

    .. versionadded:: 0.1.0
    """


class ValidationError(LaporError, ValueError):
    """
    A value or a command's data is malformed (a naive datetime, an empty title, ...).

    .. versionadded:: 0.1.0
    """


class InvalidTransition(LaporError, ValueError):
    """
    A command is not allowed in the complaint's current status (or under this profile).

    .. versionadded:: 0.1.0
    """


class PermissionDenied(LaporError, PermissionError):
    """
    The actor's role or scope does not allow the command.

    .. versionadded:: 0.1.0
    """


class NotFound(LaporError, LookupError):
    """
    A complaint, agency or other named thing does not exist.

    .. versionadded:: 0.1.0
    """


class ConcurrencyConflict(LaporError, RuntimeError):
    """
    An append was based on a stale version of the complaint's stream.

    .. versionadded:: 0.1.0
    """


class ProfileError(LaporError, ValueError):
    """
    A profile, agency registry or calendar override file is invalid.

    It carries every problem found, each ``dotted.key: message``
    (``durations.forwarding.amount: must be positive, got -3``,
    ``agency[2].colour: unknown key``); ``str()`` is the problems, one per line. An
    error about one thing has its message as its only problem.

    Args:
        *problems: The problems, in the order they were found.

    .. versionadded:: 0.1.0
    """

    def __init__(self, *problems: str) -> None:
        """Record the problems (the exception's ``args``)."""
        super().__init__(*problems)

    @property
    def problems(self) -> tuple[str, ...]:
        """
        Every problem, each ``dotted.key: message`` where it has a key.

        .. versionadded:: 0.1.0
        """
        return tuple(str(problem) for problem in self.args)

    def __str__(self) -> str:
        """The problems, one per line."""
        return "\n".join(self.problems)


class CalendarRangeError(LaporError, ValueError):
    """
    A date falls outside the years for which the calendar has holiday data.

    .. versionadded:: 0.1.0
    """


class StorageError(LaporError, OSError):
    """
    The storage backend failed (unreachable database, corrupt row, unknown event type).

    .. versionadded:: 0.1.0
    """
