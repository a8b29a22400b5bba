"""
Complaint state and the pure core: ``decide``, ``evolve``, ``replay``.

``decide(complaint, command, actor, now, ctx)`` checks a command (status, role, scope,
data) and returns the events that happen; it changes nothing and raises a
:class:`~lapor_core.errors.LaporError` subclass on refusal. ``evolve(complaint, event)``
applies one event and never refuses. ``replay(events)`` folds a stream.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.domain._context import Context
from lapor_core.domain._decide import decide
from lapor_core.domain._evolve import evolve, replay
from lapor_core.domain._state import (
    Complaint,
    ComplaintInfo,
    ComplaintRecord,
    Message,
    owners,
)

__all__ = [
    "Complaint",
    "ComplaintInfo",
    "ComplaintRecord",
    "Context",
    "Message",
    "decide",
    "evolve",
    "owners",
    "replay",
]
