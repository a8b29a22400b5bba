"""
The privacy property: over generated complaints, privacy flags, readers and every view and
export, the reporter's name and contact appear only where the policy lets that reader see
them, and never in a ``repr()``.

Each example is one complaint in any reachable state (``lapor_core.testing.strategies
.complaints``) whose reporter is given a distinctive name and contact, so that finding
either string in an output is a leak and not a coincidence. Each is read by eight
readers through six views: the redacted state, the redacted history, and, for the
public, the public view, the Open311 service request (standard and extended, JSON and
XML) and the LAPOR! CSV export; and the ``repr()`` of the state, its events and the
submission.
"""

from __future__ import annotations

import json

import attrs
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from helpers import CTX, REGISTRY
from lapor_core.domain.privacy import public_view, redact, redact_event, sees
from lapor_core.interop import to_service_request, write_lapor_csv
from lapor_core.storage.codec import CODEC
from lapor_core.storage.snapshots import encode_state
from lapor_core.testing.strategies import complaints, privacies
from lapor_core.web._xml import to_xml

READERS = 8


def _readers(complaint: lc.Complaint) -> list[lc.Actor]:
    in_scope = [a.handler for a in complaint.assignments] or [complaint.router]
    handler = lc.Actor("adm-handler", lc.Role.AGENCY_ADMIN, in_scope[0])  # may lack an SK
    outsider = lc.make_agency_actor(REGISTRY, "adm-luar", lc.Role.AGENCY_ADMIN, "balikpapan")
    return [
        lc.Actor.reporter(complaint.reporter.id),
        lc.Actor.reporter("pelapor-lain"),
        lc.Actor.national_admin("nasional"),
        lc.Actor.system("integrasi"),
        lc.Actor.public(),
        handler,
        outsider,
        lc.make_agency_actor(REGISTRY, "adm-prov", lc.Role.AGENCY_ADMIN, "kaltim"),
    ]


@st.composite
def _cases(draw: st.DrawFn) -> tuple[lc.Complaint, tuple[lc.Event, ...], str, str]:
    _, events = draw(complaints(CTX, max_steps=6))
    n = draw(st.integers(0, 999_999))
    name, contact = f"Pelapor{n:06d}Zq", f"kontak{n:06d}@contoh.example"
    submitted = events[0]
    assert isinstance(submitted, lc.ComplaintSubmitted)
    reporter = lc.Reporter(submitted.reporter.id, name, contact)
    privacy = draw(privacies())
    first = attrs.evolve(submitted, reporter=reporter, privacy=privacy)
    rest = tuple(
        attrs.evolve(e, privacy=privacy) if isinstance(e, lc.PrivacyChanged) else e
        for e in events[1:]
    )
    replayed = lc.replay((first, *rest))
    return replayed, (first, *rest), name, contact


def _may_see(complaint: lc.Complaint, reader: lc.Actor) -> tuple[bool, bool]:
    """The policy's table, written out again: may *reader* see the name, the contact?"""
    trusted = reader.role in (lc.Role.NATIONAL_ADMIN, lc.Role.SYSTEM) or (
        reader.role is lc.Role.REPORTER and reader.id == complaint.reporter.id
    )
    if trusted:
        return True, True
    anonymous = complaint.privacy.anonymous
    return not anonymous, reader.role.is_agency_role and not anonymous


def _leaks(text: str, name: str, contact: str, *, identity: bool, shows_contact: bool) -> list[str]:
    found = []
    if not identity and name in text:
        found.append("name")
    if not shows_contact and contact in text:
        found.append("contact")
    return found


@given(case=_cases())
def test_no_view_leaks_the_reporter(
    case: tuple[lc.Complaint, tuple[lc.Event, ...], str, str],
) -> None:
    complaint, events, name, contact = case
    leaks: list[str] = []
    readers = _readers(complaint)
    assert READERS == len(readers)
    for reader in readers:
        identity, contact_ok = _may_see(complaint, reader)
        assert (identity, contact_ok) == (
            sees(complaint, reader).identity,
            sees(complaint, reader).contact,
        )
        state = encode_state(redact(complaint, reader))
        history = "\n".join(
            CODEC.encode_event(redact_event(event, complaint, reader)) for event in events
        )
        for view, text in (("state", state), ("history", history)):
            leaks += [
                f"{reader.role.value}/{view}/{what}"
                for what in _leaks(text, name, contact, identity=identity, shows_contact=contact_ok)
            ]
    public_identity, _ = _may_see(complaint, lc.Actor.public())
    outputs = {
        "public_view": json.dumps(attrs.asdict(public_view(complaint)), default=str),
        "open311": json.dumps(to_service_request(complaint, calendar=CTX.calendar)),
        "open311_extended": json.dumps(to_service_request(complaint, extended=True)),
        "open311_xml": to_xml("service_requests", [to_service_request(complaint, extended=True)]),
    }
    try:
        outputs["lapor_csv"] = write_lapor_csv([complaint])
    except lc.ValidationError:
        outputs["lapor_csv"] = ""  # an id that fits no TrackingID column: nothing exported
    for view, text in outputs.items():
        leaks += [
            f"public/{view}/{what}"
            for what in _leaks(text, name, contact, identity=public_identity, shows_contact=False)
        ]
    for printed in (complaint, *events):
        text = repr(printed)
        if name in text or contact in text:
            leaks.append(f"repr/{type(printed).__name__}")
    assert [] == leaks
