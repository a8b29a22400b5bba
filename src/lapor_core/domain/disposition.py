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

import attrs

from lapor_core.domain._config import structure
from lapor_core.domain._validators import instance_of, optional_instance_of
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.model import Category, Kind, RegionCode
from lapor_core.domain.state import Complaint
from lapor_core.errors import LaporError, ProfileError

__all__ = ["RoutingConfig", "RoutingProposal", "RoutingRule", "route"]


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
    def from_records(cls, records: Iterable[Mapping[str, object]]) -> tuple[RoutingRule, ...]:
        """
        Parse rules from mappings (``[[routing]]`` tables in TOML).

        Raises:
            ProfileError: Every unknown or missing key and invalid value, each named
                with the rule's index (``routing[1].kind: ...``).
        """
        configs = structure(tuple(records), tuple[RoutingConfig, ...], root="routing")
        rules: list[RoutingRule] = []
        problems: list[str | ProfileError] = []
        for index, config in enumerate(configs):
            try:
                rules.append(config.to_rule())
            except LaporError as exc:
                # Nothing to translate but the reason: the template is not in the catalogs.
                problems.append(ProfileError("{reason}", key=f"routing[{index}]", reason=exc))
            except ValueError as exc:
                problems.append(f"routing[{index}]: {exc}")
        if problems:
            raise ProfileError(*problems)
        return tuple(rules)


@attrs.frozen(kw_only=True)
class RoutingConfig:
    """
    One ``[[routing]]`` table as written in TOML (read by the config converter).

    .. versionadded:: 0.1.0
    """

    agency: str
    category: str | None = None
    region_prefix: str | None = None
    kind: str | None = None
    sensitive: bool | None = None
    name: str = ""

    def to_rule(self) -> RoutingRule:
        """
        The rule, with its values checked.

        Raises:
            ValidationError: A category, region or kind is not valid.
        """
        return RoutingRule(
            agency=self.agency,
            category=Category(self.category) if self.category is not None else None,
            region_prefix=RegionCode(self.region_prefix)
            if self.region_prefix is not None
            else None,
            kind=Kind(self.kind) if self.kind is not None else None,
            sensitive=self.sensitive,
            name=self.name,
        )


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


def _without_decree(agency: str, registry: AgencyRegistry) -> bool:
    return agency in registry and not registry.get(agency).has_decree


def route(
    complaint: Complaint, rules: Sequence[RoutingRule], registry: AgencyRegistry
) -> RoutingProposal:
    """
    Propose the agency with authority over *complaint*.

    Order: a misconduct complaint goes to the subject office's inspectorate; then the
    first matching rule (skipping any that would send a misconduct complaint to the
    office itself); then the most specific local government whose region contains the
    complaint's region; else the national root (the national admin decides).

    The decree (*SK*) rule: an agency without its decree can receive no complaint, so a
    rule that names one is skipped (the next rule, or the local-government fallback,
    decides) and a local government without one is passed over for the government of
    the enclosing region (for ``ppu``, the province). The inspectorate proposed for a
    misconduct report is skipped the same way when it has none.

    .. versionadded:: 0.1.0
    """
    if complaint.misconduct and complaint.subject_agency is not None:
        inspectorate = registry.inspectorate_for(complaint.subject_agency)
        if inspectorate is not None and inspectorate.has_decree:
            return RoutingProposal(
                inspectorate.id,
                f"alleged misconduct by {complaint.subject_agency}: its inspectorate",
            )
    for rule in rules:
        if (
            rule.matches(complaint)
            and not _excluded(complaint, rule.agency, registry)
            and not _without_decree(rule.agency, registry)
        ):
            return RoutingProposal(rule.agency, f"rule {rule.name or rule.agency}", rule)
    region = complaint.region
    while region is not None:
        government = registry.local_government(region)
        if government is None or government.region is None:
            break
        if not _excluded(complaint, government.id, registry) and government.has_decree:
            return RoutingProposal(government.id, f"local government of region {complaint.region}")
        region = government.region.parent
    return RoutingProposal(registry.root.id, "no rule matched: the national admin decides")
