"""
Test support for code built on ``lapor_core``: strategies, a state machine, the store contract.

This subpackage (and only this one) imports pytest and Hypothesis; install them with
the ``testing`` extra (``pip install lapor-core[testing]``). Import the modules
themselves:

* :mod:`lapor_core.testing.strategies`: Hypothesis strategies for every value object,
  actors, calendars, profiles, complaints in any reachable state, and the commands
  ``decide`` accepts or refuses in a given state;
* :mod:`lapor_core.testing.stateful`:
  :class:`~lapor_core.testing.stateful.ComplaintWorkflowMachine`, a
  ``RuleBasedStateMachine`` that drives a ``ComplaintService`` over any store and checks
  the workflow's guarantees after every step; subclass it to add your own rules;
* :mod:`lapor_core.testing.store_contract`: the contract every complaint store passes.

See ``docs/testing.md`` for a worked example of a regional app testing its own rule.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

__all__: list[str] = []
