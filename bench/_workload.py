"""
The complaint life the benchmarks drive through ``lapor_core``'s public API.

A reporter's web submission in Samarinda, forwarded by the national admin to the city,
passed down by the city's admin to the transport office's liaison officer, followed up,
replied to by the reporter and closed: six commands, one event each, under the national
profile (its SLA clocks included) with the East Kalimantan agency tree. Shared by the
scripts beside it (this module is not a benchmark: CI runs ``bench/bench_*.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import lapor_core as lc

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
"""A Monday, 09:00 in Samarinda (WITA)."""

Step = tuple[lc.Actor, lc.Command, timedelta]
"""Who issues which command, and how long after the submission."""

_CONTENT = lc.Content(title="Jalan berlubang", body="Jalan di depan pasar berlubang besar.")
_REPORTER = lc.Reporter(id="pelapor", name="Siti")
_UNIT = "samarinda.dishub.penghubung"


def context() -> lc.Context:
    """The national profile over the East Kalimantan agency tree."""
    return lc.Context.create(lc.load_profile("national"), lc.load_registry("kaltim"))


def life(cid: lc.ComplaintId, registry: lc.AgencyRegistry) -> list[Step]:
    """The six commands of one complaint's life, in order."""
    admin = lc.make_agency_actor(registry, "adm", lc.Role.AGENCY_ADMIN, "samarinda")
    liaison = lc.make_agency_actor(registry, "lo", lc.Role.LIAISON_OFFICER, _UNIT)
    reporter = lc.Actor.reporter(_REPORTER.id)
    national = lc.Actor.national_admin("nas")
    submit = lc.Submit(
        complaint_id=cid,
        content=_CONTENT,
        kind=lc.Kind.COMPLAINT,
        reporter=_REPORTER,
        channel=lc.Channel(lc.ChannelType.WEB),
        region=lc.RegionCode("64.72"),
        category=lc.Category("infrastruktur"),
    )
    return [
        (reporter, submit, timedelta(0)),
        (national, lc.Forward(complaint_id=cid, agencies=("samarinda",)), timedelta(hours=20)),
        (
            admin,
            lc.ForwardInternally(complaint_id=cid, agency="samarinda", to=_UNIT),
            timedelta(hours=30),
        ),
        (
            liaison,
            lc.PostFollowUp(complaint_id=cid, agency="samarinda", text="Sudah diperbaiki."),
            timedelta(days=2),
        ),
        (reporter, lc.Reply(complaint_id=cid, text="Terima kasih."), timedelta(days=3)),
        (admin, lc.Close(complaint_id=cid), timedelta(days=4)),
    ]
