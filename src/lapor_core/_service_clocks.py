"""
Where the service reads the time: the :class:`Clock` protocol, the system clock, a manual one.

These are wall clocks, not the SLA clocks of :mod:`lapor_core.domain.clocks`: the domain
never reads the time, and :class:`~lapor_core.service.ComplaintService` asks its clock
only when a command or a sweep is not given an instant. Every name here is re-exported
by :mod:`lapor_core.service`; import it from there.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from lapor_core.domain.model import require_aware
from lapor_core.errors import N_, ValidationError

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """
    Where the service reads the time (the domain never does).

    .. versionadded:: 0.1.0
    """

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """
    The real clock, in UTC.

    .. versionadded:: 0.1.0
    """

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """
    A clock that moves only when told (tests, simulations, replays).

    .. versionadded:: 0.1.0
    """

    def __init__(self, start: datetime) -> None:
        """Start at *start* (aware)."""
        self._now = require_aware(start, "start")

    def now(self) -> datetime:
        """The clock's current instant."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Move to *instant*; refuses to go back."""
        require_aware(instant, "instant")
        if instant < self._now:
            raise ValidationError(
                N_("a manual clock does not go back ({instant} < {now})"),
                instant=instant,
                now=self._now,
            )
        self._now = instant

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by *delta*; return the new instant."""
        self.set(self._now + delta)
        return self._now
