"""The public helpers of ``lapor_core.storage.support`` mean what the storage page says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from lapor_core import ComplaintId, Status, ValidationError
from lapor_core.storage.base import ComplaintQuery, ComplaintRow
from lapor_core.storage.support import row_matches

WITA = timezone(timedelta(hours=8))
AT = datetime(2025, 9, 1, 9, 0, tzinfo=WITA)
ROW = ComplaintRow(
    id=ComplaintId("row-1"),
    version=3,
    status=Status.IN_PROGRESS,
    kind="complaint",
    channel="web",
    region="64.03.01",
    category="air-bersih",
    router="kaltim",
    responsible="berau",
    agencies=("berau", "berau.dinkes"),
    submitted_at=AT,
    updated_at=AT,
    next_due_at=AT + timedelta(days=5),
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ComplaintQuery(), True),
        (ComplaintQuery(statuses=frozenset({Status.IN_PROGRESS})), True),
        (ComplaintQuery(statuses=frozenset({Status.COMPLETED})), False),
        (ComplaintQuery(agencies=frozenset({"berau.dinkes"})), True),
        (ComplaintQuery(agencies=frozenset({"kaltim"})), True),  # the router
        (ComplaintQuery(agencies=frozenset({"berau.dishub"})), False),
        (ComplaintQuery(region_prefix="64"), True),
        (ComplaintQuery(region_prefix="64.03.01"), True),
        (ComplaintQuery(region_prefix="64.0"), False),  # whole segments only
        (ComplaintQuery(region_prefix="64.03.01.2001"), False),
        (ComplaintQuery(category="air-bersih"), True),
        (ComplaintQuery(category="jalan"), False),
        (ComplaintQuery(due_before=AT + timedelta(days=5)), True),  # inclusive
        (ComplaintQuery(due_before=AT + timedelta(days=5, microseconds=-1)), False),
        (ComplaintQuery(submitted_from=AT.astimezone(UTC)), True),  # an instant, any offset
        (ComplaintQuery(submitted_from=AT + timedelta(microseconds=1)), False),
        (ComplaintQuery(submitted_before=AT), False),  # exclusive
        (ComplaintQuery(submitted_before=AT + timedelta(microseconds=1)), True),
    ],
)
def test_row_matches_each_filter(query: ComplaintQuery, expected: bool) -> None:
    assert row_matches(ROW, query) is expected


def test_a_row_without_region_or_clock_fails_those_filters() -> None:
    row = attrs.evolve(ROW, region=None, next_due_at=None)
    assert not row_matches(row, ComplaintQuery(region_prefix="64"))
    assert not row_matches(row, ComplaintQuery(due_before=AT + timedelta(days=365)))
    assert row_matches(row, ComplaintQuery(category="air-bersih"))


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"limit": 2.5}, "limit must be between 1 and 1000"),
        ({"limit": True}, "limit must be between 1 and 1000"),
        ({"agencies": "kaltim"}, "agencies: expected a collection of agency ids"),
        ({"agencies": ("kaltim", 3)}, "agencies: expected a collection of agency ids"),
        ({"statuses": frozenset({"submitted"})}, "statuses: expected a collection of Status"),
        ({"statuses": Status.SUBMITTED}, "statuses: expected a collection of Status"),
        ({"category": 5}, "category: expected text"),
        ({"cursor": 7}, "cursor: expected text"),
        (
            {"submitted_from": datetime(2025, 6, 2, 12)},  # noqa: DTZ001 - naive on purpose
            "submitted_from must be timezone-aware",
        ),
        (
            {"due_before": datetime(2025, 6, 2, 12)},  # noqa: DTZ001
            "due_before must be timezone-aware",
        ),
    ],
)
def test_a_query_refuses_what_no_store_could_answer_alike(
    changes: dict[str, object], said: str
) -> None:
    """Each was taken: memory, SQLite and PostgreSQL then answered it each their own way."""
    with pytest.raises(ValidationError, match=said):
        ComplaintQuery(**changes)  # type: ignore[arg-type]


def test_a_query_takes_any_collection_as_a_set() -> None:
    query = ComplaintQuery(statuses=[Status.SUBMITTED], agencies=("samarinda", "samarinda"))
    assert frozenset({Status.SUBMITTED}) == query.statuses
    assert frozenset({"samarinda"}) == query.agencies
