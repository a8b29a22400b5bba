"""
The types and interfaces shared by the layers above the domain, below all of them.

* :mod:`lapor_core.ports.projection`: the projection row of a complaint, its query and
  its pages (stored by :mod:`lapor_core.storage`, read by :mod:`lapor_core.reports`);
* :mod:`lapor_core.ports.reporting`: the reporting port
  (:class:`~lapor_core.ports.reporting.ReportingStore`, which the stores implement), the
  rows it returns, and their reference computation in Python.

``storage`` and ``reports`` both import these modules and never each other. Import the
modules themselves; every name in them is also importable from where it was first
published (:mod:`lapor_core.storage.base`, :mod:`lapor_core.storage`,
:mod:`lapor_core.reports.indicators`, :mod:`lapor_core.reports`).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

__all__: list[str] = []
