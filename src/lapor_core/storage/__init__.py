"""
Pluggable storage: the port, its backends and ``open_store(url)``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.storage.base import (
    ComplaintQuery,
    ComplaintRow,
    ComplaintStore,
    Page,
    StoredEvent,
    project,
)

__all__ = ["ComplaintQuery", "ComplaintRow", "ComplaintStore", "Page", "StoredEvent", "project"]
