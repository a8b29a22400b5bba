"""
Disposition (*disposisi*): routing rules that propose where a complaint should go.

``route()`` proposes; a person decides (the national or agency admin issues
:class:`~lapor_core.domain.commands.Forward`). Rules are ordered, frozen records; the
first that matches wins. A complaint that alleges misconduct by an office (e.g. *pungli*,
illegal fees) is proposed to that office's inspectorate and never to the office itself,
whatever the rules say.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from lapor_core.domain._validators import instance_of, optional_instance_of
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.model import Category, Kind, RegionCode
from lapor_core.domain.state import Complaint
from lapor_core.errors import ProfileError

__all__ = ["RoutingProposal", "RoutingRule", "route"]


@attrs.frozen
class RoutingRule:
    """
    One routing rule: when every given criterion matches, propose ``agency``.

    Attributes:
        agency: The agency proposed.
        category: Match this category (``None``: any).
        region_prefix: Match complaints whose region lies inside this one (``None``: any).
        kind: Match this kind (``None``: any).
        sensitive: Match confidential (*rahasia*) complaints (``True``), others
            (``False``) or both (``None``).
        name: A short name for reports and ``explain``.

    .. versionadded:: 0.1.0
    """

    agency: str = attrs.field(validator=instance_of(str))
    category: Category | None = attrs.field(default=None, validator=optional_instance_of(Category))
    region_prefix: RegionCode | None = attrs.field(
        default=None, validator=optional_instance_of(RegionCode)
    )
    kind: Kind | None = attrs.field(default=None, validator=optional_instance_of(Kind))
    sensitive: bool | None = attrs.field(default=None, validator=optional_instance_of(bool))
    name: str = attrs.field(default="", validator=instance_of(str))

    def matches(self, complaint: Complaint) -> bool:
        """Whether every criterion of the rule matches *complaint*."""
        if self.category is not None and complaint.category != self.category:
            return False
        if self.kind is not None and complaint.kind is not self.kind:
            return False
        if self.sensitive is not None and complaint.privacy.confidential is not self.sensitive:
            return False
        if self.region_prefix is not None:
            return complaint.region is not None and self.region_prefix.contains(complaint.region)
        return True

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> tuple[RoutingRule, ...]:
        """
        Parse rules from mappings (``[[routing]]`` tables in TOML).

        Raises:
            ProfileError: Unknown or missing keys, or invalid values, naming the index.
        """
        allowed = {"agency", "category", "region_prefix", "kind", "sensitive", "name"}
        rules = []
        for index, record in enumerate(records):
            where = f"routing[{index}]"
            unknown = sorted(set(record) - allowed)
            if unknown:
                raise ProfileError(f"{where}.{unknown[0]}: unknown key")
            if "agency" not in record:
                raise ProfileError(f"{where}.agency: missing")
            try:
                rules.append(
                    cls(
                        agency=record["agency"],
                        category=Category(record["category"]) if "category" in record else None,
                        region_prefix=RegionCode(record["region_prefix"])
                        if "region_prefix" in record
                        else None,
                        kind=Kind(record["kind"]) if "kind" in record else None,
                        sensitive=record.get("sensitive"),
                        name=record.get("name", ""),
                    )
                )
            except ValueError as exc:
                raise ProfileError(f"{where}: {exc}") from exc
        return tuple(rules)


@attrs.frozen
class RoutingProposal:
    """
    Where ``route()`` proposes to forward a complaint, and why.

    .. versionadded:: 0.1.0
    """

    agency: str
    reason: str
    rule: RoutingRule | None = None


def _excluded(complaint: Complaint, agency: str, registry: AgencyRegistry) -> bool:
    subject = complaint.subject_agency
    return (
        complaint.misconduct
        and subject is not None
        and agency in registry
        and registry.is_within(agency, subject)
    )


def route(
    complaint: Complaint, rules: Sequence[RoutingRule], registry: AgencyRegistry
) -> RoutingProposal:
    """
    Propose the agency with authority over *complaint*.

    Order: a misconduct complaint goes to the subject office's inspectorate; then the
    first matching rule (skipping any that would send a misconduct complaint to the
    office itself); then the most specific local government whose region contains the
    complaint's region; else the national root (the national admin decides).

    .. versionadded:: 0.1.0
    """
    if complaint.misconduct and complaint.subject_agency is not None:
        inspectorate = registry.inspectorate_for(complaint.subject_agency)
        if inspectorate is not None:
            return RoutingProposal(
                inspectorate.id,
                f"alleged misconduct by {complaint.subject_agency}: its inspectorate",
            )
    for rule in rules:
        if rule.matches(complaint) and not _excluded(complaint, rule.agency, registry):
            return RoutingProposal(rule.agency, f"rule {rule.name or rule.agency}", rule)
    region = complaint.region
    while region is not None:
        government = registry.local_government(region)
        if government is None or government.region is None:
            break
        if not _excluded(complaint, government.id, registry):
            return RoutingProposal(government.id, f"local government of region {complaint.region}")
        region = government.region.parent
    return RoutingProposal(registry.root.id, "no rule matched: the national admin decides")
