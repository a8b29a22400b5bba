"""The public helpers of ``lapor_core.storage.support`` mean what the storage page says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from lapor_core import ComplaintId, Status, ValidationError
from lapor_core.storage.base import ComplaintQuery, ComplaintRow, SnapshotStore
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


@pytest.mark.parametrize("url", ["memory://", "sqlite"])
def test_a_claim_no_database_integer_or_instant_can_hold_is_refused(
    url: str, tmp_path: object
) -> None:
    """``sweep(batch=2**63)`` and a lease past ``datetime.max`` raised OverflowError."""
    from pathlib import Path  # noqa: PLC0415

    from lapor_core.storage import open_store  # noqa: PLC0415

    where = f"sqlite:///{Path(str(tmp_path)) / 'claims.sqlite3'}" if url == "sqlite" else url
    store = open_store(where)
    now = datetime(2025, 6, 2, tzinfo=UTC)
    try:
        with pytest.raises(ValidationError, match="limit must be an int from 1 to 1000000"):
            store.claim_due(now, claimant="sapu", lease=timedelta(minutes=5), limit=2**63)
        with pytest.raises(ValidationError, match="ends past the last representable instant"):
            store.claim_due(now, claimant="sapu", lease=timedelta(days=999_999_999), limit=10)
        assert () == store.claim_due(now, claimant="sapu", lease=timedelta(minutes=5), limit=10)
    finally:
        store.close()


@pytest.mark.parametrize("url", ["memory://", "sqlite"])
def test_every_store_refuses_a_plain_string_id_alike(url: str, tmp_path: object) -> None:
    """Memory said NotFound; SQLite and PostgreSQL raised AttributeError."""
    from pathlib import Path  # noqa: PLC0415

    from lapor_core.storage import open_store  # noqa: PLC0415

    where = f"sqlite:///{Path(str(tmp_path)) / 'ids.sqlite3'}" if url == "sqlite" else url
    store = open_store(where)
    try:
        for read in (store.load, store.get):
            with pytest.raises(ValidationError, match="complaint_id must be a ComplaintId"):
                read("c-1")  # type: ignore[arg-type]
        assert isinstance(store, SnapshotStore)  # every bundled store
        with pytest.raises(ValidationError, match="complaint_id must be a ComplaintId"):
            store.load_after("c-1", 1)  # type: ignore[arg-type]
    finally:
        store.close()
