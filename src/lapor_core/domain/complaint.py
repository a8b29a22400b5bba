"""
The complaint and the pure core: ``decide``, ``evolve``, ``replay``.

``decide(complaint, command, actor, now, ctx)`` checks a command (status, role, scope,
data) against the lifecycle table and returns the events that happen; it changes
nothing and raises a :class:`~lapor_core.errors.LaporError` subclass on refusal.
``evolve(complaint, event)`` applies one event and never refuses. ``replay(events)``
folds a stream.

This module gathers the names a caller needs; they live in
:mod:`~lapor_core.domain.state` (the state), :mod:`~lapor_core.domain.context` (what
``decide`` needs besides the complaint), :mod:`~lapor_core.domain.decision` and
:mod:`~lapor_core.domain.evolution`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.domain.context import Context
from lapor_core.domain.decision import decide
from lapor_core.domain.evolution import evolve, replay
from lapor_core.domain.state import (
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
