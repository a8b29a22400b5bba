# ruff: noqa: S101 - used by a pytest suite: plain asserts are how pytest reports failures
"""
The complaints the store contract writes: driven through the real domain, one at a time.

Every complaint is submitted by :data:`REPORTER` at :data:`T0` or later and decided on
the national profile and the Kalimantan Timur registry (:func:`context`); its projection
row comes from :func:`~lapor_core.storage.base.project`, as the service would write it.
Use them to write tests of your own beside the contract.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import attrs

from lapor_core.domain.actors import Actor
from lapor_core.domain.commands import Command, Submit
from lapor_core.domain.complaint import Complaint, Context, decide, evolve
from lapor_core.domain.events import Event
from lapor_core.domain.model import (
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    Kind,
    RegionCode,
    Reporter,
)
from lapor_core.profiles import load_profile, load_registry
from lapor_core.storage.base import ComplaintRow, ComplaintStore, project

__all__ = ["REPORTER", "T0", "Draft", "context", "submit_command"]

T0 = datetime(2025, 3, 27, 1, 30, tzinfo=UTC)
"""
The instant the contract's complaints are first submitted (a Thursday).

.. versionadded:: 0.1.0
"""

REPORTER = Reporter(id="pelapor-1", name="Siti Aminah")
"""
The reporter of every submission :func:`submit_command` makes.

.. versionadded:: 0.1.0
"""


@functools.cache
def context() -> Context:
    """
    The decision context of the contract: national profile, Kalimantan Timur registry.

    .. versionadded:: 0.1.0
    """
    return Context.create(load_profile("national"), load_registry("kaltim"))


def submit_command(
    cid: str,
    *,
    region: str | None = "64.72",
    category: str | None = "infrastruktur",
    target: str | None = "samarinda",
) -> Submit:
    """
    A reporter's web submission with the given region, category and addressee.

    .. versionadded:: 0.1.0
    """
    return Submit(
        complaint_id=ComplaintId(cid),
        content=Content(title="Jalan berlubang", body="Jalan di depan pasar berlubang besar."),
        kind=Kind.COMPLAINT,
        reporter=REPORTER,
        channel=Channel(ChannelType.WEB),
        region=RegionCode(region) if region is not None else None,
        category=Category(category) if category is not None else None,
        target_agency=target,
    )


@attrs.define
class Draft:
    """
    One complaint driven through the real domain, one command at a time.

    .. versionadded:: 0.1.0
    """

    complaint: Complaint | None = None
    events: list[Event] = attrs.Factory(list)

    @property
    def id(self) -> ComplaintId:
        """The complaint's id (after submission)."""
        assert self.complaint is not None
        return self.complaint.id

    @property
    def version(self) -> int:
        """The version of the complaint (0 before submission)."""
        return 0 if self.complaint is None else self.complaint.version

    def do(self, actor: Actor, command: Command, at: datetime) -> tuple[Event, ...]:
        """Decide *command* at *at*, fold its events in, and return them."""
        new = decide(self.complaint, command, actor, at, context())
        for event in new:
            self.complaint = evolve(self.complaint, event)
        self.events.extend(new)
        return new

    @property
    def row(self) -> ComplaintRow:
        """The projection row of the current state."""
        assert self.complaint is not None
        ctx = context()
        return project(self.complaint, ctx.calendar, ctx.profile.clocks)

    def write(
        self,
        store: ComplaintStore,
        actor: Actor,
        command: Command,
        at: datetime,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[Event, ...]:
        """Decide *command* and append its events and the new row to *store*."""
        before = self.version
        new = self.do(actor, command, at)
        store.append(self.id, before, new, self.row, idempotency_key=idempotency_key)
        return new
