# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""Shared pytest configuration: Hypothesis profiles."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# The store contract lives in the package: rewrite its asserts so failures show values.
pytest.register_assert_rewrite("lapor_core.testing.store_contract")

settings.register_profile("quick", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
