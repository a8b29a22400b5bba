"""
What the contract's test classes share: their actors, a submitted complaint, page walks.

Internal to :mod:`lapor_core.testing.store_contract`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from lapor_core.domain.actors import Actor, Role, make_agency_actor
from lapor_core.storage.base import ComplaintQuery, ComplaintRow, ComplaintStore
from lapor_core.testing.store_contract.drafts import REPORTER, T0, Draft, context, submit_command

__all__ = [
    "LEASE",
    "NATIONAL",
    "OWNER",
    "agency_actor",
    "all_rows",
    "ids",
    "query_id",
    "submitted",
]

OWNER = Actor.reporter(REPORTER.id)
NATIONAL = Actor.national_admin("admin-nasional")
LEASE = timedelta(minutes=5)


def submitted(store: ComplaintStore, cid: str, at: datetime = T0, **submit: str | None) -> Draft:
    """A complaint submitted by its owner at *at* and written to *store*."""
    draft = Draft()
    draft.write(store, OWNER, submit_command(cid, **submit), at)
    return draft


def agency_actor(role: Role, agency: str) -> Actor:
    """Someone with *role* at *agency* in the contract's registry."""
    return make_agency_actor(context().registry, f"{role.value}@{agency}", role, agency)


def ids(rows: Sequence[ComplaintRow]) -> list[str]:
    """The ids of *rows*, in order."""
    return [r.id.value for r in rows]


def query_id(value: object) -> str:
    """A short test id: the filters a query sets."""
    if isinstance(value, ComplaintQuery):
        fields = attrs.asdict(value, recurse=False)
        return ",".join(k for k, v in fields.items() if v is not None and k != "limit")
    return "-".join(value) if isinstance(value, list) else str(value)


def all_rows(store: ComplaintStore, query: ComplaintQuery) -> list[ComplaintRow]:
    """Every page of *query*, concatenated."""
    rows: list[ComplaintRow] = []
    cursor = None
    for _ in range(1000):
        page = store.query(attrs.evolve(query, cursor=cursor))
        rows.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return rows
    raise AssertionError("query pagination did not end")
