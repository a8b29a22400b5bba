"""
Test support for code built on ``lapor_core``: the storage contract suite.

This subpackage (and only this one) imports pytest and Hypothesis; install them with
the ``testing`` extra (``pip install lapor-core[testing]``). Import the modules
themselves, e.g. :mod:`lapor_core.testing.store_contract`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

__all__: list[str] = []
