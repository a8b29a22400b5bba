# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The projection's part of the contract: the row of each complaint, and queries over them.

Requirements 3 (``get``) and 4 (``query``: filters, stable order, keyset pages) of
:mod:`lapor_core.storage.base`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from lapor_core.domain.actors import Role
from lapor_core.domain.commands import Archive, Forward, PostFollowUp, RequestInformation
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import ArchiveReason, ComplaintId
from lapor_core.errors import NotFound, ValidationError
from lapor_core.storage.base import ComplaintQuery, ComplaintRow, ComplaintStore
from lapor_core.testing.store_contract._helpers import (
    NATIONAL,
    OWNER,
    agency_actor,
    all_rows,
    ids,
    query_id,
    submitted,
)
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.drafts import T0, Draft, submit_command

__all__ = ["ProjectionContract"]


class ProjectionContract(StoreContract):
    """
    The projection rows and the queries over them (requirements 3 and 4).

    .. versionadded:: 0.1.0
    """

    @pytest.fixture
    def catalogue(self, store: ComplaintStore) -> dict[str, ComplaintRow]:
        """Six complaints in varied statuses, regions, categories and agencies."""
        hour = timedelta(hours=1)
        a = submitted(store, "a", T0)
        b = submitted(store, "b", T0, region="64.71", category="kesehatan", target="balikpapan")
        b.write(store, NATIONAL, Forward(complaint_id=b.id, agencies=("kaltim.dinkes",)), T0 + hour)
        c = submitted(store, "c", T0 + hour, region="64", target=None)
        c.write(
            store,
            NATIONAL,
            Archive(complaint_id=c.id, reason=ArchiveReason.UNCLEAR),
            T0 + 2 * hour,
        )
        d = submitted(store, "d", T0 + 2 * hour, region="64.72.01", category="pendidikan")
        d.write(store, NATIONAL, Forward(complaint_id=d.id, agencies=("samarinda",)), T0 + 3 * hour)
        d.write(
            store,
            agency_actor(Role.LIAISON_OFFICER, "samarinda"),
            PostFollowUp(complaint_id=d.id, agency="samarinda", text="Sudah ditangani."),
            T0 + 4 * hour,
        )
        e = submitted(store, "e", T0 + 3 * hour, region="65")
        e.write(
            store,
            NATIONAL,
            RequestInformation(complaint_id=e.id, question="Di mana tepatnya?"),
            T0 + 4 * hour,
        )
        f = submitted(store, "f", T0 + 3 * hour, region=None, category=None, target=None)
        return {d.id.value: d.row for d in (a, b, c, d, e, f)}

    def test_get_unknown_raises_not_found(self, store: ComplaintStore) -> None:
        """Getting the row of an unknown complaint raises NotFound (a LookupError)."""
        with pytest.raises(NotFound):
            store.get(ComplaintId("nobody"))

    def test_query_without_filter_returns_everything_in_order(
        self, store: ComplaintStore, catalogue: dict[str, ComplaintRow]
    ) -> None:
        """An empty query returns every row, ordered by submitted_at then id."""
        page = store.query(ComplaintQuery())
        assert ids(page.items) == ["a", "b", "c", "d", "e", "f"]
        assert page.next_cursor is None
        assert list(catalogue.values()) == list(page.items)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            (
                ComplaintQuery(statuses=frozenset({Status.SUBMITTED, Status.ON_HOLD})),
                ["a", "e", "f"],
            ),
            (ComplaintQuery(statuses=frozenset({Status.ARCHIVED})), ["c"]),
            (ComplaintQuery(statuses=frozenset()), []),
            (ComplaintQuery(agencies=frozenset({"kaltim.dinkes"})), ["b"]),
            (ComplaintQuery(agencies=frozenset({"samarinda"})), ["a", "d", "e"]),
            (ComplaintQuery(agencies=frozenset({"balikpapan", "lapor"})), ["b", "c", "f"]),
            (ComplaintQuery(agencies=frozenset({"kemenkes"})), []),
            (ComplaintQuery(region_prefix="64"), ["a", "b", "c", "d"]),
            (ComplaintQuery(region_prefix="64.72"), ["a", "d"]),
            (ComplaintQuery(region_prefix="64.72.01"), ["d"]),
            (ComplaintQuery(region_prefix="65"), ["e"]),
            (ComplaintQuery(category="infrastruktur"), ["a", "c", "e"]),
            (ComplaintQuery(category="lain"), []),
            (ComplaintQuery(submitted_from=T0 + timedelta(hours=1)), ["c", "d", "e", "f"]),
            (ComplaintQuery(submitted_before=T0 + timedelta(hours=2)), ["a", "b", "c"]),
            (
                ComplaintQuery(
                    submitted_from=T0 + timedelta(hours=1), submitted_before=T0 + timedelta(hours=3)
                ),
                ["c", "d"],
            ),
            (
                ComplaintQuery(
                    region_prefix="64",
                    category="infrastruktur",
                    statuses=frozenset({Status.SUBMITTED}),
                ),
                ["a"],
            ),
        ],
        ids=query_id,
    )
    @pytest.mark.usefixtures("catalogue")
    def test_query_filters(
        self,
        store: ComplaintStore,
        query: ComplaintQuery,
        expected: list[str],
    ) -> None:
        """Each filter selects exactly the matching rows, in order."""
        assert expected == ids(all_rows(store, query))

    def test_region_prefix_is_not_a_string_prefix(self, store: ComplaintStore) -> None:
        """Region prefix 64 matches 64 and 64.72 but not a code that merely starts with 64."""
        for cid, region in (("r-1", "64"), ("r-2", "64.72"), ("r-3", "640"), ("r-4", "64%")):
            draft = Draft()
            events = draft.do(OWNER, submit_command(cid), T0)
            store.append(draft.id, 0, events, attrs.evolve(draft.row, region=region))
        assert ids(store.query(ComplaintQuery(region_prefix="64")).items) == ["r-1", "r-2"]
        assert ids(store.query(ComplaintQuery(region_prefix="6")).items) == []

    def test_query_due_before(
        self, store: ComplaintStore, catalogue: dict[str, ComplaintRow]
    ) -> None:
        """due_before keeps rows due at or before the instant; terminal rows never match."""
        dues = sorted(r.next_due_at for r in catalogue.values() if r.next_due_at is not None)
        assert catalogue["c"].next_due_at is None
        assert len(set(dues)) >= 2
        cut = dues[0]
        expected = sorted(
            (r for r in catalogue.values() if r.next_due_at is not None and r.next_due_at <= cut),
            key=lambda r: (r.submitted_at, r.id.value),
        )
        assert ids(expected) == ids(all_rows(store, ComplaintQuery(due_before=cut)))
        assert len(dues) == len(all_rows(store, ComplaintQuery(due_before=dues[-1])))
        assert all_rows(store, ComplaintQuery(due_before=cut - timedelta(microseconds=1))) == []

    def test_pages_concatenate_to_the_full_result(self, store: ComplaintStore) -> None:
        """Keyset pages of any size concatenate to the full ordered result, without repeats."""
        minute = timedelta(minutes=1)
        times = {
            "p-5": T0,
            "p-2": T0,
            "p-6": T0 + minute,
            "p-1": T0 + minute,
            "p-4": T0 + minute,
            "p-3": T0 + 2 * minute,
            "p-0": T0 + 3 * minute,
        }
        for cid, at in times.items():
            submitted(store, cid, at)
        expected = sorted(times, key=lambda c: (times[c], c))
        full = store.query(ComplaintQuery(limit=1000))
        assert expected == ids(full.items)
        for size in (1, 2, 3, 7):
            pages = []
            cursor = None
            for _ in range(len(times) + 1):  # bounded: a cursor that never ends fails
                page = store.query(ComplaintQuery(limit=size, cursor=cursor))
                assert len(page.items) <= size
                pages.append(page)
                cursor = page.next_cursor
                if cursor is None:
                    break
            else:
                raise AssertionError(f"pages of {size} did not end after {len(times) + 1}")
            assert expected == [cid for p in pages for cid in ids(p.items)]
            assert all(p.items for p in pages)
        filtered = all_rows(store, ComplaintQuery(limit=2, submitted_from=T0 + minute))
        assert ids(filtered) == ["p-1", "p-4", "p-6", "p-3", "p-0"]

    def test_invalid_cursor_is_refused(self, store: ComplaintStore) -> None:
        """A cursor that the store did not make raises ValidationError, in both reads."""
        with pytest.raises(ValidationError):
            store.query(ComplaintQuery(cursor="not a cursor!"))
        with pytest.raises(ValidationError):
            store.versions(ComplaintQuery(cursor="not a cursor!"))

    @pytest.mark.parametrize("limit", [1, 2, 1000])
    @pytest.mark.parametrize(
        "query",
        [
            ComplaintQuery(),
            ComplaintQuery(category="infrastruktur"),
            ComplaintQuery(statuses=frozenset({Status.IN_PROGRESS, Status.ARCHIVED})),
            ComplaintQuery(submitted_from=T0 + timedelta(hours=1), region_prefix="64"),
            ComplaintQuery(agencies=frozenset({"kemenkes"})),
        ],
        ids=query_id,
    )
    def test_versions_are_the_pages_of_query(
        self,
        store: ComplaintStore,
        catalogue: dict[str, ComplaintRow],
        query: ComplaintQuery,
        limit: int,
    ) -> None:
        """``versions`` gives the pages of ``query`` as (id, version, category), same cursors."""
        page_query = attrs.evolve(query, limit=limit)
        for _ in range(len(catalogue) + 1):  # bounded: a cursor that never ends fails
            rows = store.query(page_query)
            versions = store.versions(page_query)
            expected = [(r.id, r.version, r.category) for r in rows.items]
            assert expected == [(v.id, v.version, v.category) for v in versions.items]
            assert rows.next_cursor == versions.next_cursor
            if rows.next_cursor is None:
                break
            page_query = attrs.evolve(page_query, cursor=rows.next_cursor)
        else:
            raise AssertionError(f"pages of {limit} did not end after {len(catalogue) + 1}")
        assert any(v.version > 1 for v in store.versions(ComplaintQuery()).items)
