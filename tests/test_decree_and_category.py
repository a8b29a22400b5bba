"""
Issue 14, gaps 4 and 5: the decree (SK) rule everywhere, and one category rule.

Gap 4: forwarding to an agency without its decree (``ppu`` in the kaltim registry) is
refused, naming its nearest ancestor with one (or goes there, ``[options.no_wrong_door]``);
``route()`` skips such agencies; ``decide`` refuses an agency actor whose agency has no
decree, however the actor was built. Gap 5: a code that is not a category of the profile
is refused on every path (Submit, Classify, Open311 POST, the CSV import), or accepted as
uncategorised (``[options.uncategorised]``), with no service-standard clock.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from helpers import (
    CID,
    CTX,
    NATIONAL,
    OWNER,
    PROFILE,
    REGISTRY,
    T0,
    Story,
    drive,
    submit_command,
)
from lapor_core import (
    Actor,
    Category,
    Classify,
    ComplaintId,
    Context,
    Forward,
    ForwardInternally,
    PermissionDenied,
    Role,
    TrackingId,
    ValidationError,
    decide,
)
from lapor_core.domain.agencies import Agency, AgencyKind, AgencyRegistry
from lapor_core.domain.disposition import RoutingRule, route
from lapor_core.domain.model import Basis, Confidence, RegionCode, Status
from lapor_core.domain.profile_rules import FlagOption
from lapor_core.interop import ImportOptions, LaporCsvRecord, submit_from_request
from lapor_core.interop.lapor_csv.mapping import map_ids

ON = FlagOption(enabled=True, basis=Basis("local: test", Confidence.LOCAL))
WRONG_DOOR_CTX = Context.create(attrs.evolve(PROFILE, no_wrong_door=ON), REGISTRY)
UNCATEGORISED_CTX = Context.create(attrs.evolve(PROFILE, uncategorised=ON), REGISTRY)
PROVINCE = Actor("admin-kaltim", Role.AGENCY_ADMIN, "kaltim")


def _submitted_to_province(ctx: Context = CTX) -> Story:
    story = Story(ctx)
    story.do(OWNER, submit_command(region=RegionCode("64.09"), target_agency="kaltim"))
    return story


# ------------------------------------------------------------------ gap 4: the decree rule


def test_the_province_may_not_forward_to_an_agency_without_sk() -> None:
    story = _submitted_to_province()
    with pytest.raises(ValidationError, match=r"'ppu' has no decree \(SK\).*'kaltim'"):
        story.do(PROVINCE, Forward(complaint_id=CID, agencies=("ppu",)))


def test_the_national_admin_may_not_forward_to_an_agency_without_sk() -> None:
    story = drive(Status.SUBMITTED)
    with pytest.raises(ValidationError, match=r"nearest ancestor with one is 'kaltim'"):
        story.do(NATIONAL, Forward(complaint_id=CID, agencies=("samarinda", "ppu")))


def test_no_wrong_door_sends_it_to_the_nearest_ancestor_with_sk() -> None:
    story = drive(Status.SUBMITTED, ctx=WRONG_DOOR_CTX)
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=("ppu",)))
    assert [a.agency for a in story.state.assignments] == ["kaltim"]
    assert story.state.assignments[0].lead


def test_no_wrong_door_does_not_send_the_province_to_itself() -> None:
    story = _submitted_to_province(WRONG_DOOR_CTX)
    with pytest.raises(ValidationError, match="'ppu' has no decree"):
        story.do(PROVINCE, Forward(complaint_id=CID, agencies=("ppu",)))


def _with_unit_without_sk() -> Context:
    unit = Agency(
        id="samarinda.dishub.uptd",
        name="UPTD Perparkiran",
        kind=AgencyKind.UNIT,
        parent="samarinda.dishub",
        region=RegionCode("64.72"),
        time_zone="Asia/Makassar",
        has_decree=False,
    )
    return Context.create(PROFILE, AgencyRegistry([*REGISTRY, unit]))


def test_internal_forwarding_to_a_unit_without_sk_is_refused() -> None:
    story = drive(Status.FORWARDED, ctx=_with_unit_without_sk())
    admin = Actor("admin-smd", Role.AGENCY_ADMIN, "samarinda")
    story.do(admin, ForwardInternally(complaint_id=CID, agency="samarinda", to="samarinda.dishub"))
    with pytest.raises(ValidationError, match=r"nearest ancestor with one is 'samarinda.dishub'"):
        story.do(
            Actor("admin-dishub", Role.UNIT_ADMIN, "samarinda.dishub"),
            ForwardInternally(complaint_id=CID, agency="samarinda", to="samarinda.dishub.uptd"),
        )


@pytest.mark.parametrize("role", [Role.AGENCY_ADMIN, Role.UNIT_ADMIN, Role.LIAISON_OFFICER])
def test_decide_refuses_an_actor_built_directly_for_an_agency_without_sk(role: Role) -> None:
    actor = Actor("admin-ppu", role, "ppu")
    with pytest.raises(PermissionDenied, match=r"'ppu' has no decree \(SK\)"):
        decide(
            None,
            submit_command(region=RegionCode("64.09"), target_agency="ppu"),
            actor,
            T0,
            CTX,
        )


def test_routing_skips_agencies_without_sk() -> None:
    complaint = _submitted_to_province().state
    rule = RoutingRule(agency="ppu", name="ppu roads")
    proposal = route(complaint, (rule,), REGISTRY)
    assert proposal.agency == "kaltim"  # the rule is skipped; the region's ppu passed over
    assert route(complaint, (rule, RoutingRule(agency="samarinda")), REGISTRY).agency == (
        "samarinda"
    )


# ------------------------------------------------------------------ gap 5: one category rule


def test_submit_refuses_an_unknown_category() -> None:
    with pytest.raises(ValidationError, match=r"'infrastuktur' is not a category"):
        decide(None, submit_command(category=Category("infrastuktur")), OWNER, T0, CTX)


def test_classify_refuses_an_unknown_category() -> None:
    story = drive(Status.SUBMITTED)
    with pytest.raises(ValidationError, match=r"'jalan' is not a category"):
        story.do(NATIONAL, Classify(complaint_id=CID, category=Category("jalan")))


def test_uncategorised_when_the_profile_says_so_without_service_standard_clock() -> None:
    story = Story(UNCATEGORISED_CTX)
    story.do(OWNER, submit_command(category=Category("infrastuktur")))
    assert story.state.category == Category("infrastuktur")
    assert "service_standard" not in {c.clock for c in story.state.clocks}
    assert "forwarding" in {c.clock for c in story.state.clocks}


def _post(code: str) -> dict[str, object]:
    return {
        "service_code": code,
        "description": "Jalan berlubang di depan pasar.",
        "address_string": "Pasar Segiri, Samarinda",
        "account_id": "pelapor-1",
    }


def test_open311_post_follows_the_profile_rule() -> None:
    with pytest.raises(ValidationError, match=r"service_code: 'jalan' is not a category"):
        submit_from_request(_post("jalan"), complaint_id=ComplaintId("o-1"), profile=PROFILE)
    submit = submit_from_request(
        _post("jalan"), complaint_id=ComplaintId("o-1"), profile=UNCATEGORISED_CTX.profile
    )
    assert submit.category == Category("jalan")


def _csv_record(category_id: str) -> LaporCsvRecord:
    wita = ZoneInfo("Asia/Makassar")
    return LaporCsvRecord(
        line=2,
        tracking_id=TrackingId("LPR-1"),
        category_id=category_id,
        agency_id="samarinda",
        area_id="64.72",
        received_at=datetime(2025, 3, 3, 8, 0, tzinfo=wita),
        forwarded_at=None,
        last_activity_at=None,
        closed_at=None,
        status=Status.SUBMITTED,
        status_label="Belum Terverifikasi",
    )


def test_csv_import_follows_the_profile_rule() -> None:
    mapped = ImportOptions(categories={"7": "jalan"})
    with pytest.raises(ValidationError, match=r"'jalan' is not a category"):
        map_ids(_csv_record("7"), CTX, mapped)
    with pytest.raises(ValidationError, match=r"'jalan' is not a category"):
        map_ids(_csv_record("jalan"), CTX, ImportOptions())
    assert map_ids(_csv_record("jalan"), UNCATEGORISED_CTX, ImportOptions()).category == (
        Category("jalan")
    )
    assert map_ids(_csv_record("7"), UNCATEGORISED_CTX, mapped).category == Category("jalan")
