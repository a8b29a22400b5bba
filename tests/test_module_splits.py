"""Modules split along their seams keep every public name where it was, as the same object."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

from lapor_core import Status
from lapor_core.ports import projection, reporting
from lapor_core.storage import _reporting, base, codec, memory, sqlite, support
from lapor_core.testing import strategies
from lapor_core.testing.strategies import commands, deployment, values, walks

# the package lapor_core.reports re-exports the function `indicators`, hiding the module
indicators = importlib.import_module("lapor_core.reports.indicators")

# Each old module's public names before the split (release 0.1.0), and where they live now.
BEFORE: dict[str, tuple[list[str], list[ModuleType]]] = {
    "lapor_core.testing.strategies": (
        [
            "CALENDAR_FIRST", "CALENDAR_LAST", "REGIONAL_APP_NAMES", "TIME_ZONES", "Pair",
            "actors", "archive_reasons", "aware_datetimes", "calendar_overrides",
            "calendars", "categories", "channels", "commands_for", "complaint_ids",
            "complaints", "contents", "external_ids", "invalid_commands", "kinds",
            "privacies", "profiles", "region_codes", "reporters", "submissions", "texts",
            "tracking_ids", "valid_commands",
        ],
        [values, deployment, commands, walks],
    ),
    "lapor_core.storage.codec": (
        [
            "CODEC", "EVENT_TYPES", "AppendBatch", "Codec", "Upcaster", "check_append",
            "check_batches", "check_claim", "check_query_window", "decode_cursor",
            "decode_event", "decode_row", "encode_cursor", "encode_event", "encode_row",
            "from_micros", "register_upcaster", "to_micros",
        ],
        [codec, support],
    ),
    "lapor_core.storage.base": (
        ["ROW_FIELDS", "ComplaintQuery", "ComplaintRow", "ComplaintStore", "Page",
         "StoredEvent", "project"],
        [base, projection],
    ),
    "lapor_core.reports.indicators": (
        [
            "AgencyIndicators", "MusrenbangRow", "ReportingStore", "agencies_without_decree",
            "compute_indicators", "compute_musrenbang", "indicators", "indicators_csv",
            "indicators_json", "indicators_table", "musrenbang", "musrenbang_csv",
            "musrenbang_json",
        ],
        [indicators, reporting],
    ),
}  # fmt: skip


@pytest.mark.parametrize("old", sorted(BEFORE))
def test_every_name_is_still_importable_from_where_it_was(old: str) -> None:
    names, homes = BEFORE[old]
    module = importlib.import_module(old)
    assert set(names) <= set(module.__all__)
    for name in names:
        home = next(h for h in homes if name in h.__all__)
        assert getattr(home, name) is getattr(module, name), name


@pytest.mark.parametrize(
    "module",
    [projection, reporting, support, values, deployment, commands, walks],
    ids=lambda m: m.__name__,
)
def test_new_modules_document_every_public_name(module: ModuleType) -> None:
    assert "versionadded:: 0.1.0" in (module.__doc__ or "")
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert "versionadded::" in (inspect.getdoc(obj) or ""), name


def test_the_strategies_package_re_exports_its_modules() -> None:
    exported = {n for m in (values, deployment, commands, walks) for n in m.__all__}
    assert exported == set(strategies.__all__)


def test_storage_shares_the_reporting_port_without_importing_the_reports() -> None:
    assert {
        Status.SUBMITTED,
        Status.ON_HOLD,
        Status.FORWARDED,
        Status.IN_PROGRESS,
    } == reporting.BACKLOG_STATUSES
    assert sorted(s.value for s in reporting.BACKLOG_STATUSES) == list(_reporting.OPEN_STATUSES)
    for store in (memory.InMemoryStore, sqlite.SQLiteStore):
        assert "lapor_core.reports" not in inspect.getsource(inspect.getmodule(store) or store)
