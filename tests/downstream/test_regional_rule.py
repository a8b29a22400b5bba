"""
A regional app's own stateful test, written as a user of lapor_core would write it.

Kalimantan Timur's app lets the admin of Samarinda (Pemerintah Kota Samarinda) tag and
classify the reports that reach the city, and forward them down to the city's offices.
The app's rule: whoever forwarded a report about Samarinda (region 64.72) kept it inside
their own part of the agency tree (the city's admin to the city's offices, the
province's admin to the province's), unless the national admin forwarded it; and a
report sits with a handler inside the agency it was forwarded to.

Only the public API is imported: lapor_core, lapor_core.storage and lapor_core.testing.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from lapor_core import (
    Actor,
    Channel,
    ChannelType,
    Classify,
    ComplaintId,
    Content,
    Forward,
    Kind,
    RegionCode,
    Reporter,
    Role,
    Submit,
    load_profile,
    load_registry,
    make_agency_actor,
)
from lapor_core.storage import InMemoryStore
from lapor_core.testing.stateful import ComplaintWorkflowMachine

SAMARINDA = RegionCode("64.72")
REGISTRY = load_registry("kaltim")
CITY_ADMIN = make_agency_actor(REGISTRY, "admin-samarinda", Role.AGENCY_ADMIN, "samarinda")
LAPOR_WAL_SYNC = Actor.system("lapor-wal-sync")
CITY_OFFICES = [a.id for a in REGISTRY.subtree("samarinda") if a.id != "samarinda"]


class SamarindaApp(ComplaintWorkflowMachine):
    """The generic workflow checks, plus Samarinda's own rules."""

    profile = load_profile("kaltim")
    registry = REGISTRY
    store_factory = staticmethod(InMemoryStore)

    def in_city_scope(self, complaint_id: ComplaintId) -> bool:
        complaint = self.complaint(complaint_id)
        subject = complaint.subject_agency
        if (
            complaint.misconduct
            and subject is not None
            and REGISTRY.is_within(subject, "samarinda")
        ):
            return False  # a misconduct report about one of the city's offices: not the city's
        nodes = [a.handler for a in complaint.assignments] or [complaint.router]
        return any(REGISTRY.is_within(n, "samarinda") for n in nodes if n in REGISTRY)

    @precondition(lambda self: len(self.complaint_ids) < self.max_complaints)
    @rule(reporter=st.sampled_from(["warga-1", "warga-2"]), anonymous=st.booleans())
    def report_through_lapor_wal(self, reporter: str, anonymous: bool) -> None:
        """LAPOR WAL! forwards a report about Samarinda, addressed to the city."""
        command = Submit(
            complaint_id=self.new_complaint_id(),
            content=Content(title="Banjir di Jl. Pahlawan", body="Drainase tersumbat."),
            kind=Kind.COMPLAINT,
            reporter=Reporter(id=reporter, name="Warga Samarinda"),
            channel=self.ctx.profile.channel("lapor_wal"),
            region=SAMARINDA,
            target_agency="samarinda",
        )
        assert Channel(ChannelType.REGIONAL_APP, "LAPOR WAL!") == command.channel
        result = self.handle(LAPOR_WAL_SYNC, command)
        assert result is not None

    @precondition(lambda self: self.has_complaints())
    @rule(data=st.data(), tag=st.sampled_from(["banjir", "jalan", "prioritas"]))
    def city_admin_reclassifies(self, data: st.DataObject, tag: str) -> None:
        """Samarinda's admin tags a report: accepted exactly when it is the city's and open."""
        complaint = self.draw_complaint(data)
        in_scope = self.in_city_scope(complaint.id)
        result = self.handle(CITY_ADMIN, Classify(complaint_id=complaint.id, tags=(tag,)))
        if result is not None:
            assert in_scope, f"Samarinda's admin classified {complaint.id}, not the city's"
            assert (tag,) == result.complaint.tags
        else:
            assert not in_scope or complaint.status.terminal

    @precondition(lambda self: self.has_complaints())
    @rule(data=st.data(), office=st.sampled_from(CITY_OFFICES))
    def city_admin_forwards_to_an_office(self, data: st.DataObject, office: str) -> None:
        """Samarinda's admin forwards a report to one of the city's offices."""
        complaint = self.draw_complaint(data)
        self.handle(CITY_ADMIN, Forward(complaint_id=complaint.id, agencies=(office,)))

    @invariant()
    def samarinda_reports_stay_with_whoever_forwarded_them(self) -> None:
        root = REGISTRY.root.id
        for complaint_id in self.complaint_ids:
            complaint = self.complaint(complaint_id)
            if complaint.region is None or not SAMARINDA.contains(complaint.region):
                continue
            for assignment in complaint.assignments:
                assert REGISTRY.is_within(assignment.handler, assignment.agency)
                if assignment.forwarded_by != root:
                    assert REGISTRY.is_within(assignment.agency, assignment.forwarded_by)


# At most 150 runs of 20 steps, whatever the Hypothesis profile asks.
SamarindaApp.TestCase.settings = settings(
    stateful_step_count=20, max_examples=min(settings().max_examples, 150), deadline=None
)
TestSamarindaApp = SamarindaApp.TestCase
