"""Shared builders for the interop tests: a deployment, sentinel complaints, a sample file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs

import lapor_core as lc
from lapor_core.service import ComplaintService
from lapor_core.storage import ComplaintStore, InMemoryStore

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
CTX = lc.Context.create(PROFILE, REGISTRY)
DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "lapor_export_sample.csv"
SAMPLE_ROWS = 6

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB
STEP = timedelta(hours=3)

# Strings that must never leak from a private complaint: each is unique in the whole text.
NAME = "Sentinel Nama Pelapor Qxz"
REPORTER_ID = "sentinel-pelapor-id-qxz"
CONTACT = "sentinel-kontak-qxz@example.org"
TITLE = "Sentinel Judul Rahasia Qxz"
BODY = "Sentinel isi laporan rahasia Qxz, kronologi kejadian."
LOCATION = "Sentinel Lokasi Rahasia Qxz"
REPORTER_STRINGS = (NAME, REPORTER_ID, CONTACT)
CONTENT_STRINGS = (TITLE, BODY, LOCATION)

NATIONAL = lc.Actor.national_admin("admin-nasional")
REPORTER = lc.Reporter(id=REPORTER_ID, name=NAME, contact=CONTACT)


def service(store: ComplaintStore | None = None) -> ComplaintService:
    """A service on the national profile and the Kaltim registry (in memory by default)."""
    return ComplaintService(store if store is not None else InMemoryStore(), PROFILE, REGISTRY)


def sentinel_complaint(
    status: lc.Status,
    privacy: lc.Privacy,
    *,
    cid: str = "sentinel-1",
    tracking: str | None = "LPR-SENTINEL-1",
) -> lc.Complaint:
    """A complaint full of sentinel strings, driven to *status* through ``decide``."""
    complaint_id = lc.ComplaintId(cid)
    external = lc.ExternalIds(
        sp4n_tracking_id=lc.TrackingId(tracking) if tracking is not None else None
    )
    submit = lc.Submit(
        complaint_id=complaint_id,
        content=lc.Content(title=TITLE, body=BODY, location=LOCATION),
        kind=lc.Kind.COMPLAINT,
        reporter=REPORTER,
        channel=lc.Channel(lc.ChannelType.WEB),
        privacy=privacy,
        region=lc.RegionCode("64.72"),
        category=lc.Category("infrastruktur"),
        external_ids=external,
    )
    liaison = lc.make_agency_actor(REGISTRY, "admin-smd", lc.Role.AGENCY_ADMIN, "samarinda")
    plan: list[tuple[lc.Actor, lc.Command]] = [(lc.Actor.reporter(REPORTER_ID), submit)]
    if status is lc.Status.ON_HOLD:
        plan.append((NATIONAL, lc.RequestInformation(complaint_id=complaint_id, question="?")))
    elif status is lc.Status.ARCHIVED:
        reason = lc.ArchiveReason.UNCLEAR
        plan.append((NATIONAL, lc.Archive(complaint_id=complaint_id, reason=reason)))
    elif status is not lc.Status.SUBMITTED:
        plan.append((NATIONAL, lc.Forward(complaint_id=complaint_id, agencies=("samarinda",))))
        if status in {lc.Status.IN_PROGRESS, lc.Status.COMPLETED}:
            text = "Sudah ditindaklanjuti."
            plan.append(
                (liaison, lc.PostFollowUp(complaint_id=complaint_id, agency="samarinda", text=text))
            )
        if status is lc.Status.COMPLETED:
            plan.append((NATIONAL, lc.Close(complaint_id=complaint_id)))
    complaint: lc.Complaint | None = None
    now = T0
    for actor, command in plan:
        for event in lc.decide(complaint, command, actor, now, CTX):
            complaint = lc.evolve(complaint, event)
        now += STEP
    assert complaint is not None
    assert complaint.status is status
    return complaint


def with_privacy(complaint: lc.Complaint, privacy: lc.Privacy) -> lc.Complaint:
    """The same complaint with other privacy flags (for checks on drawn complaints)."""
    return attrs.evolve(complaint, info=attrs.evolve(complaint.info, privacy=privacy))
