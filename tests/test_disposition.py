"""Tests for lapor_core.domain.disposition: routing rules and route()."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import CID, CTX, OWNER, REGISTRY, Story, submit_command
from lapor_core import (
    Actor,
    AgencyRegistry,
    Category,
    Complaint,
    ComplaintForwarded,
    Forward,
    Kind,
    LaporError,
    Privacy,
    ProfileError,
    RegionCode,
    decide,
)
from lapor_core.domain.agencies import Agency, AgencyKind
from lapor_core.domain.complaint import Context
from lapor_core.domain.disposition import RoutingRule, route


def _complaint(ctx: Context = CTX, **changes: Any) -> Complaint:
    """A submitted complaint (region 64.72, category infrastruktur, kind complaint)."""
    story = Story(ctx)
    story.do(OWNER, submit_command(CID, **changes))
    return story.state


# --------------------------------------------------------------------------- matches


def test_rule_without_criteria_matches_everything() -> None:
    assert RoutingRule(agency="kaltim").matches(_complaint())


@pytest.mark.parametrize(("code", "expected"), [("infrastruktur", True), ("kesehatan", False)])
def test_rule_matches_by_category(code: str, expected: bool) -> None:
    rule = RoutingRule(agency="kaltim.pupr", category=Category(code))
    assert expected == rule.matches(_complaint())


def test_category_rule_does_not_match_an_uncategorised_complaint() -> None:
    rule = RoutingRule(agency="kaltim.pupr", category=Category("infrastruktur"))
    assert not rule.matches(_complaint(category=None))


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("64", True), ("64.72", True), ("64.71", False), ("65", False), ("64.72.01", False)],
)
def test_rule_matches_by_region_prefix(prefix: str, expected: bool) -> None:
    rule = RoutingRule(agency="samarinda", region_prefix=RegionCode(prefix))
    assert expected == rule.matches(_complaint())


def test_region_rule_does_not_match_a_complaint_without_region() -> None:
    rule = RoutingRule(agency="kaltim", region_prefix=RegionCode("64"))
    assert not rule.matches(_complaint(region=None))


@pytest.mark.parametrize(("kind", "expected"), [(Kind.COMPLAINT, True), (Kind.ASPIRATION, False)])
def test_rule_matches_by_kind(kind: Kind, expected: bool) -> None:
    assert expected == RoutingRule(agency="kaltim", kind=kind).matches(_complaint())


@pytest.mark.parametrize(
    ("sensitive", "confidential", "expected"),
    [
        (True, True, True),
        (True, False, False),
        (False, False, True),
        (False, True, False),
        (None, True, True),
        (None, False, True),
    ],
)
def test_rule_matches_by_sensitivity(
    sensitive: bool | None, confidential: bool, expected: bool
) -> None:
    complaint = _complaint(privacy=Privacy(confidential=confidential))
    assert expected == RoutingRule(agency="kaltim", sensitive=sensitive).matches(complaint)


def test_every_criterion_must_match() -> None:
    rule = RoutingRule(
        agency="kaltim.pupr",
        category=Category("infrastruktur"),
        region_prefix=RegionCode("64"),
        kind=Kind.ASPIRATION,
    )
    assert not rule.matches(_complaint())
    assert rule.matches(_complaint(kind=Kind.ASPIRATION))


# --------------------------------------------------------------------------- route


def test_first_matching_rule_wins() -> None:
    rules = (
        RoutingRule(agency="kemenkes", category=Category("kesehatan"), name="sehat"),
        RoutingRule(agency="kaltim.pupr", category=Category("infrastruktur"), name="jalan"),
        RoutingRule(agency="samarinda", region_prefix=RegionCode("64.72"), name="kota"),
    )
    proposal = route(_complaint(), rules, REGISTRY)
    assert ("kaltim.pupr", rules[1]) == (proposal.agency, proposal.rule)
    assert "jalan" in proposal.reason


def test_misconduct_goes_to_the_inspectorate_before_any_rule() -> None:
    complaint = _complaint(misconduct=True, subject_agency="samarinda.dishub")
    rules = (RoutingRule(agency="kaltim.pupr"),)
    proposal = route(complaint, rules, REGISTRY)
    assert "samarinda.inspektorat" == proposal.agency
    assert proposal.rule is None
    assert "samarinda.dishub" in proposal.reason


def test_an_office_named_without_misconduct_is_routed_like_any_report() -> None:
    # the report is about the office's service, not its conduct: no inspectorate
    complaint = _complaint(subject_agency="samarinda.dishub")
    rules = (RoutingRule(agency="kaltim.pupr", name="jalan"),)
    proposal = route(complaint, rules, REGISTRY)
    assert ("kaltim.pupr", rules[0]) == (proposal.agency, proposal.rule)
    assert "samarinda" == route(complaint, (), REGISTRY).agency


def _registry_without_inspectorates() -> AgencyRegistry:
    return AgencyRegistry(
        [
            Agency(id="lapor", name="Nasional", kind=AgencyKind.NATIONAL),
            Agency(
                id="kaltim",
                name="Prov",
                kind=AgencyKind.PROVINCE,
                parent="lapor",
                region=RegionCode("64"),
            ),
            Agency(
                id="samarinda",
                name="Kota",
                kind=AgencyKind.CITY,
                parent="kaltim",
                region=RegionCode("64.72"),
            ),
            Agency(
                id="samarinda.dishub", name="Dishub", kind=AgencyKind.OFFICE, parent="samarinda"
            ),
        ]
    )


def test_a_rule_pointing_at_the_subject_office_is_skipped() -> None:
    registry = _registry_without_inspectorates()
    ctx = Context.create(CTX.profile, registry)
    complaint = _complaint(
        ctx, misconduct=True, subject_agency="samarinda.dishub", target_agency=None
    )
    rules = (
        RoutingRule(agency="samarinda.dishub", name="dishub"),
        RoutingRule(agency="kaltim", name="provinsi"),
    )
    proposal = route(complaint, rules, registry)
    assert ("kaltim", rules[1]) == (proposal.agency, proposal.rule)


def test_misconduct_fallback_skips_the_subject_local_government() -> None:
    registry = _registry_without_inspectorates()
    ctx = Context.create(CTX.profile, registry)
    complaint = _complaint(ctx, misconduct=True, subject_agency="samarinda", target_agency=None)
    assert "kaltim" == route(complaint, (), registry).agency


@pytest.mark.parametrize(
    ("region", "agency"),
    [("64.72", "samarinda"), ("64.72.01", "samarinda"), ("64.99", "kaltim"), ("64", "kaltim")],
)
def test_fallback_is_the_most_specific_local_government(region: str, agency: str) -> None:
    proposal = route(_complaint(region=RegionCode(region)), (), REGISTRY)
    assert agency == proposal.agency
    assert proposal.rule is None
    assert region in proposal.reason


def test_no_region_and_no_rule_goes_to_the_national_root() -> None:
    proposal = route(_complaint(region=None), (), REGISTRY)
    assert "lapor" == proposal.agency
    assert "no rule matched: the national admin decides" == proposal.reason


def test_region_outside_the_registry_goes_to_the_national_root() -> None:
    assert "lapor" == route(_complaint(region=RegionCode("31.71")), (), REGISTRY).agency


def test_route_proposes_and_changes_nothing() -> None:
    complaint = _complaint()
    route(complaint, (RoutingRule(agency="kaltim"),), REGISTRY)
    assert complaint == _complaint()


def test_a_proposal_can_be_forwarded() -> None:
    story = Story()
    story.do(OWNER, submit_command(target_agency=None))
    proposal = route(story.state, (), REGISTRY)
    command = Forward(complaint_id=CID, agencies=(proposal.agency,))
    (event, *_) = decide(story.complaint, command, Actor.national_admin("n"), story.now, CTX)
    assert isinstance(event, ComplaintForwarded)
    assert proposal.agency == event.assignments[0].agency


# --------------------------------------------------------------------------- from_records


def test_from_records_parses_every_field() -> None:
    rules = RoutingRule.from_records(
        [
            {
                "agency": "kaltim.pupr",
                "category": "infrastruktur",
                "region_prefix": "64",
                "kind": "aspirasi",
                "sensitive": False,
                "name": "jalan provinsi",
            },
            {"agency": "kaltim"},
        ]
    )
    expected = (
        RoutingRule(
            agency="kaltim.pupr",
            category=Category("infrastruktur"),
            region_prefix=RegionCode("64"),
            kind=Kind.ASPIRATION,
            sensitive=False,
            name="jalan provinsi",
        ),
        RoutingRule(agency="kaltim"),
    )
    assert expected == rules


def test_from_records_unknown_key_names_it() -> None:
    with pytest.raises(ProfileError, match=r"routing\[1\]\.colour: unknown key"):
        RoutingRule.from_records([{"agency": "a"}, {"agency": "b", "colour": "red"}])


def test_from_records_missing_agency_names_it() -> None:
    with pytest.raises(ProfileError, match=r"routing\[0\]\.agency: missing"):
        RoutingRule.from_records([{"category": "kesehatan"}])


@pytest.mark.parametrize(
    ("key", "value"), [("category", "Bad Code"), ("region_prefix", "64.7"), ("kind", "keluhan")]
)
def test_from_records_invalid_value_names_the_rule(key: str, value: str) -> None:
    make = {"category": Category, "region_prefix": RegionCode, "kind": Kind}[key]
    with pytest.raises((LaporError, ValueError)) as own:
        make(value)
    with pytest.raises(ProfileError) as refused:
        RoutingRule.from_records([{"agency": "a"}, {"agency": "b", key: value}])
    assert f"routing[1]: {own.value}" == str(refused.value)


@pytest.mark.parametrize(("key", "value"), [("sensitive", "yes"), ("agency", 5), ("name", 1)])
def test_from_records_wrong_type_names_the_rule_and_key(key: str, value: object) -> None:
    record: dict[str, object] = {"agency": "kaltim", key: value}
    with pytest.raises(ProfileError, match=rf"routing\[0\]\W+{key}"):
        RoutingRule.from_records([record])
